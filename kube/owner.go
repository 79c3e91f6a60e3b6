package kube

import (
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// workload is what a pod belongs to, traced through ownerReferences.
type workload struct {
	Kind     string
	Name     string
	Selector map[string]string
}

// instanceLabels are added per pod or per revision by controllers; they never
// belong in a workload's selector.
var instanceLabels = []string{
	"pod-template-hash", "controller-revision-hash", "pod-template-generation",
	"statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index",
	"controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name",
	"batch.kubernetes.io/job-completion-index",
}

// owners indexes a namespace's controllers by name.
type owners struct {
	replicaSets  map[string]*appsv1.ReplicaSet
	deployments  map[string]*appsv1.Deployment
	statefulSets map[string]*appsv1.StatefulSet
	daemonSets   map[string]*appsv1.DaemonSet
	jobs         map[string]*batchv1.Job
	cronJobs     map[string]*batchv1.CronJob
}

func controllerOf(refs []metav1.OwnerReference) *metav1.OwnerReference {
	for i := range refs {
		if refs[i].Controller != nil && *refs[i].Controller {
			return &refs[i]
		}
	}
	if len(refs) > 0 {
		return &refs[0]
	}
	return nil
}

// workloadOf traces a pod: Pod → ReplicaSet → Deployment, StatefulSet, DaemonSet,
// Job → CronJob; a pod without owner is its own workload (kind Pod, no selector).
func (o *owners) workloadOf(pod *corev1.Pod) workload {
	ref := controllerOf(pod.OwnerReferences)
	if ref == nil {
		return workload{Kind: "Pod", Name: pod.Name}
	}
	podSel := stripInstanceLabels(pod.Labels)
	switch ref.Kind {
	case "ReplicaSet":
		rs := o.replicaSets[ref.Name]
		if rs != nil {
			if dref := controllerOf(rs.OwnerReferences); dref != nil && dref.Kind == "Deployment" {
				if d := o.deployments[dref.Name]; d != nil {
					return workload{Kind: "Deployment", Name: d.Name, Selector: selectorOf(d.Spec.Selector, podSel)}
				}
				return workload{Kind: "Deployment", Name: dref.Name, Selector: podSel}
			}
			return workload{Kind: "ReplicaSet", Name: rs.Name, Selector: selectorOf(rs.Spec.Selector, podSel)}
		}
		// ReplicaSet not readable: a Deployment's ReplicaSet is named {deployment}-{pod-template-hash}.
		if h := pod.Labels["pod-template-hash"]; h != "" && strings.HasSuffix(ref.Name, "-"+h) {
			return workload{Kind: "Deployment", Name: strings.TrimSuffix(ref.Name, "-"+h), Selector: podSel}
		}
		return workload{Kind: "ReplicaSet", Name: ref.Name, Selector: podSel}
	case "StatefulSet":
		if s := o.statefulSets[ref.Name]; s != nil {
			return workload{Kind: "StatefulSet", Name: s.Name, Selector: selectorOf(s.Spec.Selector, podSel)}
		}
	case "DaemonSet":
		if d := o.daemonSets[ref.Name]; d != nil {
			return workload{Kind: "DaemonSet", Name: d.Name, Selector: selectorOf(d.Spec.Selector, podSel)}
		}
	case "Job":
		if j := o.jobs[ref.Name]; j != nil {
			if cref := controllerOf(j.OwnerReferences); cref != nil && cref.Kind == "CronJob" {
				sel := podSel
				if cj := o.cronJobs[cref.Name]; cj != nil {
					if l := stripInstanceLabels(cj.Spec.JobTemplate.Spec.Template.Labels); len(l) > 0 {
						sel = l
					}
				}
				return workload{Kind: "CronJob", Name: cref.Name, Selector: sel}
			}
			return workload{Kind: "Job", Name: j.Name, Selector: selectorOf(j.Spec.Selector, podSel)}
		}
	}
	return workload{Kind: ref.Kind, Name: ref.Name, Selector: podSel}
}

func selectorOf(ls *metav1.LabelSelector, fallback map[string]string) map[string]string {
	if ls != nil && len(ls.MatchLabels) > 0 {
		out := make(map[string]string, len(ls.MatchLabels))
		for k, v := range ls.MatchLabels {
			out[k] = v
		}
		return out
	}
	return fallback
}

func stripInstanceLabels(l map[string]string) map[string]string {
	if len(l) == 0 {
		return nil
	}
	out := make(map[string]string, len(l))
	for k, v := range l {
		out[k] = v
	}
	for _, k := range instanceLabels {
		delete(out, k)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
