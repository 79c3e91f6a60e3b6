package kube

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fis-mcp/fis-mcp/session"
)

// LookupWorkload finds a workload a person named (not found by Scan): the first of
// Deployment, StatefulSet, DaemonSet, CronJob, Job or bare Pod with that name in
// the namespace. The app has no affected service ("indirect") and confidence
// may_reference; the caller adds its own evidence.
func LookupWorkload(ctx context.Context, cs Interface, cluster, namespace, name string) (session.App, error) {
	app := session.App{Cluster: cluster, Namespace: namespace, Workload: name, Confidence: session.ConfidenceMayReference}
	found := func(kind string, sel *metav1.LabelSelector, tmplLabels map[string]string, spec corev1.PodSpec) (session.App, error) {
		app.Kind = kind
		app.Selector = selectorOf(sel, stripInstanceLabels(tmplLabels))
		if len(app.Selector) == 0 {
			return session.App{}, fmt.Errorf("%s %s/%s has no usable pod selector", kind, namespace, name)
		}
		for _, c := range spec.Containers {
			app.Containers = append(app.Containers, c.Name)
		}
		return app, nil
	}
	get := metav1.GetOptions{}
	apps, batch := cs.AppsV1(), cs.BatchV1()
	if d, err := apps.Deployments(namespace).Get(ctx, name, get); err == nil {
		return found("Deployment", d.Spec.Selector, d.Spec.Template.Labels, d.Spec.Template.Spec)
	} else if !apierrors.IsNotFound(err) {
		return session.App{}, fmt.Errorf("get deployment %s/%s: %w", namespace, name, err)
	}
	if s, err := apps.StatefulSets(namespace).Get(ctx, name, get); err == nil {
		return found("StatefulSet", s.Spec.Selector, s.Spec.Template.Labels, s.Spec.Template.Spec)
	} else if !apierrors.IsNotFound(err) {
		return session.App{}, fmt.Errorf("get statefulset %s/%s: %w", namespace, name, err)
	}
	if d, err := apps.DaemonSets(namespace).Get(ctx, name, get); err == nil {
		return found("DaemonSet", d.Spec.Selector, d.Spec.Template.Labels, d.Spec.Template.Spec)
	} else if !apierrors.IsNotFound(err) {
		return session.App{}, fmt.Errorf("get daemonset %s/%s: %w", namespace, name, err)
	}
	if cj, err := batch.CronJobs(namespace).Get(ctx, name, get); err == nil {
		t := cj.Spec.JobTemplate.Spec.Template
		return found("CronJob", nil, t.Labels, t.Spec)
	} else if !apierrors.IsNotFound(err) {
		return session.App{}, fmt.Errorf("get cronjob %s/%s: %w", namespace, name, err)
	}
	if j, err := batch.Jobs(namespace).Get(ctx, name, get); err == nil {
		return found("Job", j.Spec.Selector, j.Spec.Template.Labels, j.Spec.Template.Spec)
	} else if !apierrors.IsNotFound(err) {
		return session.App{}, fmt.Errorf("get job %s/%s: %w", namespace, name, err)
	}
	p, err := cs.CoreV1().Pods(namespace).Get(ctx, name, get)
	if err != nil {
		if apierrors.IsNotFound(err) {
			return session.App{}, fmt.Errorf("no Deployment, StatefulSet, DaemonSet, CronJob, Job or Pod named %s in namespace %s of cluster %s", name, namespace, cluster)
		}
		return session.App{}, fmt.Errorf("get pod %s/%s: %w", namespace, name, err)
	}
	// A pod named directly is followed by name, as Scan's bare pods are.
	app.Kind = "Pod"
	for _, c := range p.Spec.Containers {
		app.Containers = append(app.Containers, c.Name)
	}
	return app, nil
}
