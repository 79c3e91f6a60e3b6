package kube

import (
	"context"
	"fmt"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fis-mcp/fis-mcp/session"
	"github.com/fis-mcp/fis-mcp/session/untrusted"
)

// IncompleteScanError says which reads failed during Scan. The apps returned with
// it are still valid: they are what could be found in what was readable.
type IncompleteScanError struct {
	Cluster  string
	Problems []string
}

func (e *IncompleteScanError) Error() string {
	return fmt.Sprintf("kubernetes scan of cluster %s incomplete: %s", e.Cluster, strings.Join(e.Problems, "; "))
}

// nsSnapshot is what Scan reads of one namespace. Secrets keep key names only.
type nsSnapshot struct {
	name       string
	pods       []corev1.Pod
	configMaps map[string]*corev1.ConfigMap
	secretKeys map[string][]string
	services   []corev1.Service
	owners     owners
}

// finding is one piece of evidence that a pod references an affected resource.
type finding struct {
	service    string
	confidence string
	site       string // where, without the pod name: used to de-duplicate across replicas
	text       string
}

// Scan looks through every namespace of the cluster for workloads whose
// configuration references one of the endpoints: container env values (init
// containers too), envFrom and referenced ConfigMaps, projected volumes, Secret key
// names (never values), and ExternalName Services pointing at an endpoint. It
// returns one App per (namespace, workload, affected resource), in a deterministic
// order. When some reads fail it returns what it found with an *IncompleteScanError.
func Scan(ctx context.Context, cs Interface, cluster string, endpoints []session.ResourceEndpoint) ([]session.App, error) {
	m := newMatcher(endpoints)
	if len(m.needles) == 0 && len(m.idTokens) == 0 {
		return nil, nil
	}
	nss, err := listAll(ctx, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Namespace, string, error) {
		l, err := cs.CoreV1().Namespaces().List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	})
	if err != nil {
		return nil, fmt.Errorf("kubernetes list namespaces in cluster %s: %w", cluster, err)
	}
	var problems []string
	snaps := make([]*nsSnapshot, 0, len(nss))
	for _, ns := range nss {
		snap, probs := loadNamespace(ctx, cs, ns.Name)
		problems = append(problems, probs...)
		if snap != nil {
			snaps = append(snaps, snap)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("kubernetes scan of cluster %s: %w", cluster, ctx.Err())
		}
	}

	// ExternalName Services whose externalName is an affected endpoint become aliases:
	// fully qualified forms everywhere, the short name within their own namespace.
	var globalAliases []*needle
	shortAliases := map[string][]*needle{}
	for _, s := range snaps {
		for i := range s.services {
			svc := &s.services[i]
			if svc.Spec.Type != corev1.ServiceTypeExternalName || svc.Spec.ExternalName == "" {
				continue
			}
			for _, h := range m.find(svc.Spec.ExternalName, nil) {
				globalAliases = append(globalAliases, m.aliases(svc.Name, s.name, h.n)...)
				shortAliases[s.name] = append(shortAliases[s.name], &needle{
					text: strings.ToLower(svc.Name), kind: needleFull, service: h.n.service,
					via: s.name + "/" + svc.Name, shown: svc.Name,
				})
			}
		}
	}

	apps := map[string]*session.App{}
	sites := map[string]map[string]bool{}
	for _, s := range snaps {
		extra := append(append([]*needle(nil), globalAliases...), shortAliases[s.name]...)
		sort.Slice(s.pods, func(i, j int) bool { return s.pods[i].Name < s.pods[j].Name })
		referencedCM := map[string]bool{}
		for i := range s.pods {
			pod := &s.pods[i]
			for _, n := range configMapsOf(pod) {
				referencedCM[n] = true
			}
			fs := podFindings(pod, s, m, extra)
			if len(fs) == 0 {
				continue
			}
			w := s.owners.workloadOf(pod)
			for _, f := range fs {
				key := s.name + "\x00" + w.Kind + "\x00" + w.Name + "\x00" + f.service
				app := apps[key]
				if app == nil {
					app = &session.App{
						Cluster: cluster, Namespace: s.name, Workload: w.Name, Kind: w.Kind,
						Containers: containerNames(pod), Service: f.service,
						Confidence: session.ConfidenceMayReference, Selector: w.Selector,
					}
					apps[key] = app
					sites[key] = map[string]bool{}
				}
				if f.confidence == session.ConfidenceConfirmed {
					app.Confidence = session.ConfidenceConfirmed
				}
				if !sites[key][f.site] {
					sites[key][f.site] = true
					// Evidence quotes object fields (env var names, ConfigMap keys): untrusted text.
					app.Evidence = append(app.Evidence, untrusted.Clean(f.text, untrusted.MaxLine))
				}
			}
		}
		unreferencedConfigMaps(s, m, extra, referencedCM, apps, sites, cluster)
	}

	out := make([]session.App, 0, len(apps))
	for _, a := range apps {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Workload != b.Workload {
			return a.Workload < b.Workload
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Service < b.Service
	})
	if len(problems) > 0 {
		return out, &IncompleteScanError{Cluster: cluster, Problems: problems}
	}
	return out, nil
}

// loadNamespace reads what Scan needs of one namespace. Pods are required; any
// other list that fails is reported and skipped.
func loadNamespace(ctx context.Context, cs Interface, ns string) (*nsSnapshot, []string) {
	var problems []string
	note := func(what string, err error) {
		problems = append(problems, fmt.Sprintf("namespace %s: list %s: %v", ns, what, err))
	}
	core, apps, batch := cs.CoreV1(), cs.AppsV1(), cs.BatchV1()
	pods, err := listAll(ctx, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Pod, string, error) {
		l, err := core.Pods(ns).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	})
	if err != nil {
		note("pods", err)
		return nil, problems
	}
	s := &nsSnapshot{name: ns, pods: pods, configMaps: map[string]*corev1.ConfigMap{}, secretKeys: map[string][]string{}}
	if len(pods) == 0 {
		return s, nil
	}
	if cms, err := listAll(ctx, func(ctx context.Context, o metav1.ListOptions) ([]corev1.ConfigMap, string, error) {
		l, err := core.ConfigMaps(ns).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	}); err != nil {
		note("configmaps", err)
	} else {
		for i := range cms {
			s.configMaps[cms[i].Name] = &cms[i]
		}
	}
	if secrets, err := listAll(ctx, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Secret, string, error) {
		l, err := core.Secrets(ns).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		// Keep key names only: values are dropped here and never looked at.
		for i := range l.Items {
			for k := range l.Items[i].Data {
				l.Items[i].Data[k] = nil
			}
			l.Items[i].StringData = nil
		}
		return l.Items, l.Continue, nil
	}); err != nil {
		note("secrets", err)
	} else {
		for _, sec := range secrets {
			keys := make([]string, 0, len(sec.Data))
			for k := range sec.Data {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			s.secretKeys[sec.Name] = keys
		}
	}
	if svcs, err := listAll(ctx, func(ctx context.Context, o metav1.ListOptions) ([]corev1.Service, string, error) {
		l, err := core.Services(ns).List(ctx, o)
		if err != nil {
			return nil, "", err
		}
		return l.Items, l.Continue, nil
	}); err != nil {
		note("services", err)
	} else {
		s.services = svcs
	}
	s.owners = owners{
		replicaSets: indexList(ctx, "replicasets", note, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.ReplicaSet, string, error) {
			l, err := apps.ReplicaSets(ns).List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		}, func(x *appsv1.ReplicaSet) string { return x.Name }),
		deployments: indexList(ctx, "deployments", note, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.Deployment, string, error) {
			l, err := apps.Deployments(ns).List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		}, func(x *appsv1.Deployment) string { return x.Name }),
		statefulSets: indexList(ctx, "statefulsets", note, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.StatefulSet, string, error) {
			l, err := apps.StatefulSets(ns).List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		}, func(x *appsv1.StatefulSet) string { return x.Name }),
		daemonSets: indexList(ctx, "daemonsets", note, func(ctx context.Context, o metav1.ListOptions) ([]appsv1.DaemonSet, string, error) {
			l, err := apps.DaemonSets(ns).List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		}, func(x *appsv1.DaemonSet) string { return x.Name }),
		jobs: indexList(ctx, "jobs", note, func(ctx context.Context, o metav1.ListOptions) ([]batchv1.Job, string, error) {
			l, err := batch.Jobs(ns).List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		}, func(x *batchv1.Job) string { return x.Name }),
		cronJobs: indexList(ctx, "cronjobs", note, func(ctx context.Context, o metav1.ListOptions) ([]batchv1.CronJob, string, error) {
			l, err := batch.CronJobs(ns).List(ctx, o)
			if err != nil {
				return nil, "", err
			}
			return l.Items, l.Continue, nil
		}, func(x *batchv1.CronJob) string { return x.Name }),
	}
	return s, problems
}

func indexList[T any](ctx context.Context, what string, note func(string, error), list func(context.Context, metav1.ListOptions) ([]T, string, error), name func(*T) string) map[string]*T {
	items, err := listAll(ctx, list)
	if err != nil {
		note(what, err)
		return nil
	}
	out := make(map[string]*T, len(items))
	for i := range items {
		out[name(&items[i])] = &items[i]
	}
	return out
}

// listAll pages through a list 500 items at a time.
func listAll[T any](ctx context.Context, list func(context.Context, metav1.ListOptions) ([]T, string, error)) ([]T, error) {
	var out []T
	opts := metav1.ListOptions{Limit: 500}
	for {
		items, cont, err := list(ctx, opts)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if cont == "" {
			return out, nil
		}
		opts.Continue = cont
	}
}

func containerNames(pod *corev1.Pod) []string {
	out := make([]string, 0, len(pod.Spec.Containers))
	for _, c := range pod.Spec.Containers {
		out = append(out, c.Name)
	}
	return out
}

// configMapsOf lists the ConfigMaps a pod reads (env, envFrom, volumes, projected).
func configMapsOf(pod *corev1.Pod) []string {
	var out []string
	for _, c := range allContainers(pod) {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil {
				out = append(out, e.ValueFrom.ConfigMapKeyRef.Name)
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.ConfigMapRef != nil {
				out = append(out, ef.ConfigMapRef.Name)
			}
		}
	}
	for _, v := range pod.Spec.Volumes {
		if v.ConfigMap != nil {
			out = append(out, v.ConfigMap.Name)
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.ConfigMap != nil {
					out = append(out, src.ConfigMap.Name)
				}
			}
		}
	}
	return out
}

type podContainer struct {
	corev1.Container
	init bool
}

func allContainers(pod *corev1.Pod) []podContainer {
	out := make([]podContainer, 0, len(pod.Spec.InitContainers)+len(pod.Spec.Containers))
	for _, c := range pod.Spec.InitContainers {
		out = append(out, podContainer{Container: c, init: true})
	}
	for _, c := range pod.Spec.Containers {
		out = append(out, podContainer{Container: c})
	}
	return out
}

// podFindings collects the evidence of one pod, in priority order.
func podFindings(pod *corev1.Pod, s *nsSnapshot, m *matcher, extra []*needle) []finding {
	var out []finding
	valueHits := func(value, site, where string) {
		for _, h := range m.find(value, extra) {
			out = append(out, finding{
				service: h.n.service, confidence: session.ConfidenceConfirmed,
				site: site + "\x00" + h.n.text,
				text: fmt.Sprintf("%s in pod %s (value redacted: %s)", where, pod.Name, describeHit(h)),
			})
		}
	}
	keyHits := func(key, site, where string) {
		for _, svc := range m.keyMentions(key) {
			out = append(out, finding{
				service: svc, confidence: session.ConfidenceMayReference, site: site,
				text: fmt.Sprintf("%s in pod %s (key name only; value not read)", where, pod.Name),
			})
		}
	}
	cms := func(name string) *corev1.ConfigMap { return s.configMaps[name] }
	containers := allContainers(pod)

	// 1. Literal env values.
	for _, c := range containers {
		for _, e := range c.Env {
			if e.Value != "" {
				valueHits(e.Value, "env/"+c.Name+"/"+e.Name, fmt.Sprintf("env %s of %s", e.Name, containerLabel(c)))
			}
		}
	}
	// 2. envFrom ConfigMaps.
	for _, c := range containers {
		for _, ef := range c.EnvFrom {
			if ef.ConfigMapRef == nil {
				continue
			}
			if cm := cms(ef.ConfigMapRef.Name); cm != nil {
				for _, k := range sortedKeys(cm.Data) {
					valueHits(cm.Data[k], "envFrom/"+cm.Name+"/"+k, fmt.Sprintf("envFrom configmap %s key %s%s of %s", cm.Name, ef.Prefix, k, containerLabel(c)))
				}
			}
		}
	}
	// 3. ConfigMap data referenced by env valueFrom and configMap volumes.
	for _, c := range containers {
		for _, e := range c.Env {
			if e.ValueFrom == nil || e.ValueFrom.ConfigMapKeyRef == nil {
				continue
			}
			ref := e.ValueFrom.ConfigMapKeyRef
			if cm := cms(ref.Name); cm != nil {
				valueHits(cm.Data[ref.Key], "cmref/"+cm.Name+"/"+ref.Key, fmt.Sprintf("configmap %s key %s (env %s of %s)", cm.Name, ref.Key, e.Name, containerLabel(c)))
			}
		}
	}
	for _, v := range pod.Spec.Volumes {
		if v.ConfigMap == nil {
			continue
		}
		if cm := cms(v.ConfigMap.Name); cm != nil {
			for _, k := range sortedKeys(cm.Data) {
				valueHits(cm.Data[k], "cmvol/"+cm.Name+"/"+k, fmt.Sprintf("configmap %s key %s (volume %s)", cm.Name, k, v.Name))
			}
		}
	}
	// 4. Secret key names (values are never read).
	for _, c := range containers {
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				ref := e.ValueFrom.SecretKeyRef
				keyHits(ref.Key, "secret/"+ref.Name+"/"+ref.Key, fmt.Sprintf("secret %s key %s (env %s of %s)", ref.Name, ref.Key, e.Name, containerLabel(c)))
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.SecretRef == nil {
				continue
			}
			for _, k := range s.secretKeys[ef.SecretRef.Name] {
				keyHits(k, "secret/"+ef.SecretRef.Name+"/"+k, fmt.Sprintf("envFrom secret %s key %s of %s", ef.SecretRef.Name, k, containerLabel(c)))
			}
		}
	}
	for _, v := range pod.Spec.Volumes {
		var names []string
		if v.Secret != nil {
			names = append(names, v.Secret.SecretName)
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.Secret != nil {
					names = append(names, src.Secret.Name)
				}
			}
		}
		for _, n := range names {
			for _, k := range s.secretKeys[n] {
				keyHits(k, "secret/"+n+"/"+k, fmt.Sprintf("secret %s key %s (volume %s)", n, k, v.Name))
			}
		}
	}
	// 5. Projected volumes' ConfigMap sources.
	for _, v := range pod.Spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, src := range v.Projected.Sources {
			if src.ConfigMap == nil {
				continue
			}
			if cm := cms(src.ConfigMap.Name); cm != nil {
				for _, k := range sortedKeys(cm.Data) {
					valueHits(cm.Data[k], "projected/"+cm.Name+"/"+k, fmt.Sprintf("projected volume %s configmap %s key %s", v.Name, cm.Name, k))
				}
			}
		}
	}
	return out
}

// unreferencedConfigMaps attributes matching ConfigMaps that no pod mounts to the
// workloads named like them (api-config → api), as may_reference: apps sometimes
// read their ConfigMap through the API.
func unreferencedConfigMaps(s *nsSnapshot, m *matcher, extra []*needle, referenced map[string]bool, apps map[string]*session.App, sites map[string]map[string]bool, cluster string) {
	for _, name := range sortedKeys(s.configMaps) {
		if referenced[name] {
			continue
		}
		cm := s.configMaps[name]
		for _, k := range sortedKeys(cm.Data) {
			for _, h := range m.find(cm.Data[k], extra) {
				for i := range s.pods {
					pod := &s.pods[i]
					w := s.owners.workloadOf(pod)
					if !strings.HasPrefix(name, w.Name+"-") && name != w.Name {
						continue
					}
					key := s.name + "\x00" + w.Kind + "\x00" + w.Name + "\x00" + h.n.service
					app := apps[key]
					if app == nil {
						app = &session.App{
							Cluster: cluster, Namespace: s.name, Workload: w.Name, Kind: w.Kind,
							Containers: containerNames(pod), Service: h.n.service,
							Confidence: session.ConfidenceMayReference, Selector: w.Selector,
						}
						apps[key] = app
						sites[key] = map[string]bool{}
					}
					site := "cmunref/" + name + "/" + k + "\x00" + h.n.text
					if !sites[key][site] {
						sites[key][site] = true
						app.Evidence = append(app.Evidence, fmt.Sprintf("configmap %s key %s, not mounted by any pod, named like the workload (value redacted: %s)", name, k, describeHit(h)))
					}
				}
			}
		}
	}
}

func describeHit(h hit) string {
	if h.n.via != "" {
		return fmt.Sprintf("%s → ExternalName service %s", h.n.shown, h.n.via)
	}
	return h.n.shown
}

func containerLabel(c podContainer) string {
	if c.init {
		return "init container " + c.Name
	}
	return "container " + c.Name
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
