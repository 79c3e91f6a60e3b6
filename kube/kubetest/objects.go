package kubetest

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// putLocked stores (or replaces) an object, bumps the resource version and records the event.
func (s *Server) putLocked(res string, o object) {
	if res != "namespaces" {
		s.ensureNamespaceLocked(o.GetNamespace())
	}
	m := s.objects[res]
	if m == nil {
		m = map[string]object{}
		s.objects[res] = m
	}
	k := key(o.GetNamespace(), o.GetName())
	typ := "MODIFIED"
	if _, ok := m[k]; !ok {
		typ = "ADDED"
		if o.GetUID() == "" {
			s.seq++
			o.SetUID(types.UID(fmt.Sprintf("00000000-0000-4000-8000-%012d", s.seq)))
		}
		if ct := o.GetCreationTimestamp(); ct.IsZero() {
			o.SetCreationTimestamp(metav1.NewTime(s.clock.Now()))
		}
	}
	s.rv++
	o.SetResourceVersion(strconv.FormatInt(s.rv, 10))
	m[k] = o
	s.events = append(s.events, event{rv: s.rv, typ: typ, resource: res, obj: o.DeepCopyObject().(object)})
	s.broadcastLocked()
}

func (s *Server) deleteLocked(res, ns, name string) bool {
	k := key(ns, name)
	o, ok := s.objects[res][k]
	if !ok {
		return false
	}
	delete(s.objects[res], k)
	s.rv++
	c := o.DeepCopyObject().(object)
	c.SetResourceVersion(strconv.FormatInt(s.rv, 10))
	s.events = append(s.events, event{rv: s.rv, typ: "DELETED", resource: res, obj: c})
	s.broadcastLocked()
	return true
}

func (s *Server) ensureNamespace(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureNamespaceLocked(name)
}

func (s *Server) ensureNamespaceLocked(name string) {
	if name == "" {
		return
	}
	if _, ok := s.objects["namespaces"][key("", name)]; ok {
		return
	}
	s.putLocked("namespaces", &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive}})
}

// AddNamespace adds a namespace (namespaces are also created on first use).
func (s *Server) AddNamespace(name string) { s.ensureNamespace(name) }

// AddConfigMap adds a ConfigMap.
func (s *Server) AddConfigMap(ns, name string, data map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putLocked("configmaps", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Data: copyMap(data)})
}

// AddSecret adds an Opaque Secret.
func (s *Server) AddSecret(ns, name string, data map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := map[string][]byte{}
	for k, v := range data {
		d[k] = []byte(v)
	}
	s.putLocked("secrets", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Type: corev1.SecretTypeOpaque, Data: d})
}

// AddService adds a Service with the given spec (e.g. Type ExternalName).
func (s *Server) AddService(ns, name string, spec corev1.ServiceSpec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.putLocked("services", &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: *spec.DeepCopy()})
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func withLabels(base map[string]string, extra ...string) map[string]string {
	out := copyMap(base)
	if out == nil {
		out = map[string]string{}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		out[extra[i]] = extra[i+1]
	}
	return out
}

// safeHash is a deterministic name suffix in the Kubernetes name alphabet.
func safeHash(s string, n int) string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	v := h.Sum64()
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[v%uint64(len(alphabet))]
		v /= uint64(len(alphabet))
		if v == 0 {
			v = h.Sum64() + uint64(i)*7919
		}
	}
	return string(out)
}

func ownerRef(apiVersion, kind, name string, uid types.UID) metav1.OwnerReference {
	t := true
	return metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid, Controller: &t, BlockOwnerDeletion: &t}
}

// AddDeployment adds a Deployment, its ReplicaSet and replicas running pods with
// ownerReferences, as the controllers would. It returns the pod names.
func (s *Server) AddDeployment(ns, name string, labels map[string]string, spec corev1.PodSpec, replicas int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := int32(replicas)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: copyMap(labels)},
		Spec: appsv1.DeploymentSpec{
			Replicas: &r, Selector: &metav1.LabelSelector{MatchLabels: copyMap(labels)},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: copyMap(labels)}, Spec: *spec.DeepCopy()},
		},
		Status: appsv1.DeploymentStatus{Replicas: r, ReadyReplicas: r, AvailableReplicas: r, UpdatedReplicas: r},
	}
	s.putLocked("deployments", d)
	hash := safeHash(ns+"/"+name, 10)
	rsName := name + "-" + hash
	podLabels := withLabels(labels, "pod-template-hash", hash)
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: rsName, Labels: podLabels,
			OwnerReferences: []metav1.OwnerReference{ownerRef("apps/v1", "Deployment", name, d.UID)}},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: &r, Selector: &metav1.LabelSelector{MatchLabels: copyMap(podLabels)},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: copyMap(podLabels)}, Spec: *spec.DeepCopy()},
		},
		Status: appsv1.ReplicaSetStatus{Replicas: r, ReadyReplicas: r},
	}
	s.putLocked("replicasets", rs)
	var names []string
	for i := 0; i < replicas; i++ {
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: rsName + "-" + safeHash(fmt.Sprintf("%s/%s/%d", ns, rsName, i), 5), Labels: copyMap(podLabels),
				OwnerReferences: []metav1.OwnerReference{ownerRef("apps/v1", "ReplicaSet", rsName, rs.UID)}},
			Spec: *spec.DeepCopy(),
		}
		s.addPodLocked(p)
		names = append(names, p.Name)
	}
	return names
}

// AddStatefulSet adds a StatefulSet and its pods {name}-0..n-1. It returns the pod names.
func (s *Server) AddStatefulSet(ns, name string, labels map[string]string, spec corev1.PodSpec, replicas int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := int32(replicas)
	ss := &appsv1.StatefulSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: copyMap(labels)},
		Spec: appsv1.StatefulSetSpec{
			Replicas: &r, Selector: &metav1.LabelSelector{MatchLabels: copyMap(labels)}, ServiceName: name,
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: copyMap(labels)}, Spec: *spec.DeepCopy()},
		},
		Status: appsv1.StatefulSetStatus{Replicas: r, ReadyReplicas: r},
	}
	s.putLocked("statefulsets", ss)
	rev := name + "-" + safeHash(ns+"/"+name, 10)
	var names []string
	for i := 0; i < replicas; i++ {
		pn := fmt.Sprintf("%s-%d", name, i)
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: pn,
				Labels:          withLabels(labels, "controller-revision-hash", rev, "statefulset.kubernetes.io/pod-name", pn, "apps.kubernetes.io/pod-index", strconv.Itoa(i)),
				OwnerReferences: []metav1.OwnerReference{ownerRef("apps/v1", "StatefulSet", name, ss.UID)}},
			Spec: *spec.DeepCopy(),
		}
		s.addPodLocked(p)
		names = append(names, pn)
	}
	return names
}

// AddDaemonSet adds a DaemonSet with one pod per node (nodes of them). It returns the pod names.
func (s *Server) AddDaemonSet(ns, name string, labels map[string]string, spec corev1.PodSpec, nodes int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ds := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: copyMap(labels)},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: copyMap(labels)},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: copyMap(labels)}, Spec: *spec.DeepCopy()},
		},
		Status: appsv1.DaemonSetStatus{DesiredNumberScheduled: int32(nodes), NumberReady: int32(nodes)},
	}
	s.putLocked("daemonsets", ds)
	rev := safeHash(ns+"/"+name+"/rev", 10)
	var names []string
	for i := 0; i < nodes; i++ {
		p := &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-" + safeHash(fmt.Sprintf("%s/%s/%d", ns, name, i), 5),
				Labels:          withLabels(labels, "controller-revision-hash", rev, "pod-template-generation", "1"),
				OwnerReferences: []metav1.OwnerReference{ownerRef("apps/v1", "DaemonSet", name, ds.UID)}},
			Spec: *spec.DeepCopy(),
		}
		p.Spec.NodeName = fmt.Sprintf("ip-10-0-%d-10.ec2.internal", i)
		s.addPodLocked(p)
		names = append(names, p.Name)
	}
	return names
}

// AddJob adds a Job with one running pod; with cronJob set, the Job is owned by
// that CronJob (created if needed). It returns the pod name.
func (s *Server) AddJob(ns, name, cronJob string, labels map[string]string, spec corev1.PodSpec) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var owners []metav1.OwnerReference
	if cronJob != "" {
		cj, ok := s.objects["cronjobs"][key(ns, cronJob)].(*batchv1.CronJob)
		if !ok {
			cj = &batchv1.CronJob{
				ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: cronJob, Labels: copyMap(labels)},
				Spec: batchv1.CronJobSpec{Schedule: "*/5 * * * *", JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
					Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: copyMap(labels)}, Spec: *spec.DeepCopy()},
				}}},
			}
			s.putLocked("cronjobs", cj)
		}
		owners = []metav1.OwnerReference{ownerRef("batch/v1", "CronJob", cronJob, cj.UID)}
	}
	s.seq++
	uid := types.UID(fmt.Sprintf("00000000-0000-4000-9000-%012d", s.seq))
	jobLabels := withLabels(labels, "batch.kubernetes.io/controller-uid", string(uid), "controller-uid", string(uid), "batch.kubernetes.io/job-name", name, "job-name", name)
	j := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: uid, Labels: jobLabels, OwnerReferences: owners},
		Spec: batchv1.JobSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"batch.kubernetes.io/controller-uid": string(uid)}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: jobLabels}, Spec: *spec.DeepCopy()},
		},
		Status: batchv1.JobStatus{Active: 1},
	}
	s.putLocked("jobs", j)
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name + "-" + safeHash(ns+"/"+name, 5), Labels: copyMap(jobLabels),
			OwnerReferences: []metav1.OwnerReference{ownerRef("batch/v1", "Job", name, uid)}},
		Spec: *spec.DeepCopy(),
	}
	s.addPodLocked(p)
	return p.Name
}

// AddPod adds a pod as given; missing status is filled in as running and ready,
// every container started now (ephemeral containers included).
func (s *Server) AddPod(p *corev1.Pod) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addPodLocked(p.DeepCopy())
}

// AddPodLater adds the pod once the clock reaches at: watches see it appear mid-run.
func (s *Server) AddPodLater(at time.Time, p *corev1.Pod) {
	c := p.DeepCopy()
	s.At(at, func() { s.AddPod(c) })
}

// DeletePod deletes a pod: its containers stop, its log streams end, watches see DELETED.
func (s *Server) DeletePod(ns, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objects["pods"][key(ns, name)]; !ok {
		return fmt.Errorf("pod %s/%s not found", ns, name)
	}
	now := s.clock.Now()
	for k, cl := range s.logs {
		if cl.ns == ns && cl.pod == name {
			if cur := cl.current(); cur.end.IsZero() {
				cur.end = now
			}
			delete(s.logs, k)
		}
	}
	s.deleteLocked("pods", ns, name)
	return nil
}

// Pod returns a copy of a stored pod, or nil.
func (s *Server) Pod(ns, name string) *corev1.Pod {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.objects["pods"][key(ns, name)].(*corev1.Pod); ok {
		return p.DeepCopy()
	}
	return nil
}

func (s *Server) containerID() string {
	s.seq++
	h := fnv.New64a()
	_, _ = fmt.Fprintf(h, "container-%d", s.seq)
	return fmt.Sprintf("containerd://%016x%016x%016x%016x", h.Sum64(), uint64(s.seq), h.Sum64()^0xabcdef, uint64(s.seq)*31)
}

// addPodLocked fills in a running status and registers the containers' logs.
func (s *Server) addPodLocked(p *corev1.Pod) {
	now := metav1.NewTime(s.clock.Now())
	if p.Namespace == "" {
		p.Namespace = "default"
	}
	if p.Spec.NodeName == "" {
		p.Spec.NodeName = "ip-10-0-1-10.ec2.internal"
	}
	if p.Status.Phase == "" {
		p.Status.Phase = corev1.PodRunning
		p.Status.StartTime = &now
		p.Status.PodIP = fmt.Sprintf("10.0.%d.%d", (s.seq/250)%250, s.seq%250+1)
		p.Status.HostIP = "10.0.1.10"
		for _, t := range []corev1.PodConditionType{corev1.PodScheduled, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReady} {
			p.Status.Conditions = append(p.Status.Conditions, corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now})
		}
		for _, c := range p.Spec.InitContainers {
			p.Status.InitContainerStatuses = append(p.Status.InitContainerStatuses, corev1.ContainerStatus{
				Name: c.Name, Image: c.Image, ContainerID: s.containerID(), Ready: true,
				State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed", StartedAt: now, FinishedAt: now}},
			})
		}
		for _, c := range p.Spec.Containers {
			p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, runningStatus(c.Name, c.Image, s.containerID(), now))
		}
		for _, c := range p.Spec.EphemeralContainers {
			p.Status.EphemeralContainerStatuses = append(p.Status.EphemeralContainerStatuses, runningStatus(c.Name, c.Image, s.containerID(), now))
		}
	}
	statuses := append(append([]corev1.ContainerStatus(nil), p.Status.ContainerStatuses...), p.Status.EphemeralContainerStatuses...)
	for _, st := range statuses {
		cl := &containerLogs{ns: p.Namespace, pod: p.Name, container: st.Name}
		start := now.Time
		if st.State.Running != nil && !st.State.Running.StartedAt.IsZero() {
			start = st.State.Running.StartedAt.Time
		}
		inst := &logInstance{id: st.ContainerID, start: start}
		if t := st.State.Terminated; t != nil {
			inst.start, inst.end = t.StartedAt.Time, t.FinishedAt.Time
		}
		cl.instances = []*logInstance{inst}
		if old := s.logs[logKey(p.Namespace, p.Name, st.Name)]; old != nil && old.gen != nil {
			cl.gen = old.gen
		}
		s.logs[logKey(p.Namespace, p.Name, st.Name)] = cl
	}
	s.putLocked("pods", p)
}

func runningStatus(name, image, id string, at metav1.Time) corev1.ContainerStatus {
	started := true
	return corev1.ContainerStatus{
		Name: name, Image: image, ImageID: image, ContainerID: id, Ready: true, Started: &started,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: at}},
	}
}

// RestartContainer crashes a container and starts a new instance: new container
// ID, restartCount+1, lastState terminated; the crashed instance's log stays
// available with previous=true.
func (s *Server) RestartContainer(ns, pod, container string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.objects["pods"][key(ns, pod)].(*corev1.Pod)
	cl := s.logs[logKey(ns, pod, container)]
	if !ok || cl == nil {
		return fmt.Errorf("container %s/%s/%s not found", ns, pod, container)
	}
	now := metav1.NewTime(s.clock.Now())
	for i := range p.Status.ContainerStatuses {
		st := &p.Status.ContainerStatuses[i]
		if st.Name != container {
			continue
		}
		cur := cl.current()
		cur.end = now.Time
		started := metav1.NewTime(cur.start)
		st.LastTerminationState = corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: 1, Reason: "Error", StartedAt: started, FinishedAt: now, ContainerID: st.ContainerID,
		}}
		st.RestartCount++
		st.ContainerID = s.containerID()
		st.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}
		cl.instances = append(cl.instances, &logInstance{id: st.ContainerID, start: now.Time})
		s.putLocked("pods", p)
		return nil
	}
	return fmt.Errorf("container %s/%s/%s not found", ns, pod, container)
}
