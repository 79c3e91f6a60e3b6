package kube

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// target is one regular container of one pod, followed for one app.
type target struct {
	Namespace string
	Pod       string
	PodUID    string
	Container string
}

// ID is unique per pod incarnation and container.
func (t target) ID() string { return t.PodUID + "/" + t.Container }

// resumeKey is how the collected file names a stream: pod/container.
func (t target) resumeKey() string { return t.Pod + "/" + t.Container }

// instance is the observed state of a container: its current instance and the
// last terminated one.
type instance struct {
	ID           string
	Running      bool
	Terminated   bool
	RestartCount int32
	StartedAt    time.Time
	// LastID and LastFinished describe the previous (terminated) instance, if any.
	LastID       string
	LastFinished time.Time
}

// containerInstance finds the status of a regular container of the pod. Init and
// ephemeral containers (FIS injects the latter) are never followed.
func containerInstance(pod *corev1.Pod, name string) (instance, bool) {
	found := false
	for _, c := range pod.Spec.Containers {
		if c.Name == name {
			found = true
			break
		}
	}
	if !found {
		return instance{}, false
	}
	for _, st := range pod.Status.ContainerStatuses {
		if st.Name != name {
			continue
		}
		in := instance{ID: st.ContainerID, RestartCount: st.RestartCount}
		switch {
		case st.State.Running != nil:
			in.Running = true
			in.StartedAt = st.State.Running.StartedAt.Time
		case st.State.Terminated != nil:
			in.Terminated = true
			in.StartedAt = st.State.Terminated.StartedAt.Time
			if in.ID == "" {
				in.ID = st.State.Terminated.ContainerID
			}
		}
		if t := st.LastTerminationState.Terminated; t != nil {
			in.LastID = t.ContainerID
			in.LastFinished = t.FinishedAt.Time
			if in.LastID == "" {
				in.LastID = fmt.Sprintf("restart-%d", st.RestartCount)
			}
		}
		return in, true
	}
	return instance{}, true
}

// targetFilter picks the containers of a pod to follow and remembers container
// IDs to notice restarts, like stern's targetFilter.
type targetFilter struct {
	seen map[string]string // target ID -> container ID
}

// visit calls fn for every regular container of the pod that has started (has a
// container ID), saying whether it is new to the filter or restarted since the last visit.
func (f *targetFilter) visit(pod *corev1.Pod, fn func(t target, in instance, isNew, restarted bool)) {
	if f.seen == nil {
		f.seen = map[string]string{}
	}
	for _, c := range pod.Spec.Containers {
		in, ok := containerInstance(pod, c.Name)
		if !ok || in.ID == "" {
			continue
		}
		t := target{Namespace: pod.Namespace, Pod: pod.Name, PodUID: string(pod.UID), Container: c.Name}
		prev, known := f.seen[t.ID()]
		f.seen[t.ID()] = in.ID
		fn(t, in, !known, known && prev != in.ID)
	}
}

// forget drops a pod's containers.
func (f *targetFilter) forget(podUID string, containers []string) {
	for _, c := range containers {
		delete(f.seen, podUID+"/"+c)
	}
}
