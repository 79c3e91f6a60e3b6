package kube

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
)

// PodInfo is one pod a FIS aws:eks:pod target resolves to.
type PodInfo struct {
	Name  string
	Phase string
	Ready bool
	Node  string
}

// FIS aws:eks:pod selector types.
const (
	SelectorLabel       = "labelSelector"
	SelectorPodName     = "podName"
	SelectorDeployment  = "deploymentName"
	SelectorDaemonSet   = "daemonSetName"
	SelectorStatefulSet = "statefulSetName"
)

// ListPods lists the pods a FIS aws:eks:pod target selects (selectorType
// labelSelector, podName, deploymentName; daemonSetName and statefulSetName too),
// sorted by name.
func ListPods(ctx context.Context, cs Interface, namespace, selectorType, selectorValue string) ([]PodInfo, error) {
	if selectorValue == "" {
		return nil, fmt.Errorf("list pods in namespace %s: empty %s", namespace, selectorType)
	}
	var opts metav1.ListOptions
	switch selectorType {
	case SelectorLabel:
		opts.LabelSelector = selectorValue
	case SelectorPodName:
		opts.FieldSelector = fields.OneTermEqualSelector("metadata.name", selectorValue).String()
	case SelectorDeployment, SelectorDaemonSet, SelectorStatefulSet:
		sel, err := workloadSelector(ctx, cs, namespace, selectorType, selectorValue)
		if err != nil {
			return nil, err
		}
		opts.LabelSelector = sel
	default:
		return nil, fmt.Errorf("list pods in namespace %s: unknown selectorType %q (want labelSelector, podName or deploymentName)", namespace, selectorType)
	}
	l, err := cs.CoreV1().Pods(namespace).List(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("list pods in namespace %s (%s=%s): %w", namespace, selectorType, selectorValue, err)
	}
	out := make([]PodInfo, 0, len(l.Items))
	for i := range l.Items {
		p := &l.Items[i]
		out = append(out, PodInfo{Name: p.Name, Phase: string(p.Status.Phase), Ready: podReady(p), Node: p.Spec.NodeName})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func workloadSelector(ctx context.Context, cs Interface, ns, kind, name string) (string, error) {
	var sel *metav1.LabelSelector
	var err error
	switch kind {
	case SelectorDeployment:
		dep, e := cs.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		err = e
		if err == nil {
			sel = dep.Spec.Selector
		}
	case SelectorDaemonSet:
		ds, e := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		err = e
		if err == nil {
			sel = ds.Spec.Selector
		}
	case SelectorStatefulSet:
		ss, e := cs.AppsV1().StatefulSets(ns).Get(ctx, name, metav1.GetOptions{})
		err = e
		if err == nil {
			sel = ss.Spec.Selector
		}
	}
	if err != nil {
		return "", fmt.Errorf("get %s %s/%s: %w", kind, ns, name, err)
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return "", fmt.Errorf("%s %s/%s selector: %w", kind, ns, name, err)
	}
	if s.Empty() {
		return "", fmt.Errorf("%s %s/%s has an empty selector", kind, ns, name)
	}
	return s.String(), nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
