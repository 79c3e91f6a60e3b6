package kube

import (
	"context"
	"fmt"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fis-mcp/fis-mcp/session"
)

// ServiceEndpoints returns the in-cluster DNS names of the Kubernetes Services that
// select each app's pods (name.namespace, name.namespace.svc, ….svc.cluster.local),
// as endpoints whose Identifier is "namespace/app-workload": what a caller of the app
// has in its configuration.
func ServiceEndpoints(ctx context.Context, cs Interface, apps []session.App) ([]session.ResourceEndpoint, error) {
	byNS := map[string][]session.App{}
	for _, a := range apps {
		if len(a.Selector) > 0 {
			byNS[a.Namespace] = append(byNS[a.Namespace], a)
		}
	}
	namespaces := make([]string, 0, len(byNS))
	for ns := range byNS {
		namespaces = append(namespaces, ns)
	}
	sort.Strings(namespaces)
	var out []session.ResourceEndpoint
	for _, ns := range namespaces {
		svcs, err := cs.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return out, fmt.Errorf("list services in %s: %w", ns, err)
		}
		for _, svc := range svcs.Items {
			if len(svc.Spec.Selector) == 0 {
				continue
			}
			for _, a := range byNS[ns] {
				if !selects(svc.Spec.Selector, a.Selector) {
					continue
				}
				id := ns + "/" + a.Workload
				for _, host := range []string{svc.Name + "." + ns + ".svc.cluster.local", svc.Name + "." + ns + ".svc", svc.Name + "." + ns} {
					out = append(out, session.ResourceEndpoint{Service: "kubernetes-service", Identifier: id, Kind: "service-dns", Value: host})
				}
			}
		}
	}
	return out, nil
}

// selects reports whether a Service selector matches pods carrying the app's labels.
func selects(selector, podLabels map[string]string) bool {
	for k, v := range selector {
		if podLabels[k] != v {
			return false
		}
	}
	return true
}

// IndirectApps scans the cluster for workloads that reference the given apps'
// Service DNS names: callers of an affected app, which may fail during the fault
// without touching the affected resource. They are returned with an empty Service,
// confidence "indirect" and evidence naming the app they call; the apps themselves
// are left out.
func IndirectApps(ctx context.Context, cs Interface, cluster string, apps []session.App) ([]session.App, error) {
	eps, err := ServiceEndpoints(ctx, cs, apps)
	if err != nil || len(eps) == 0 {
		return nil, err
	}
	found, err := Scan(ctx, cs, cluster, eps)
	direct := map[string]bool{}
	for _, a := range apps {
		direct[a.Key()] = true
	}
	merged := map[string]*session.App{}
	var order []string
	for _, f := range found {
		if direct[f.Key()] {
			continue
		}
		m, ok := merged[f.Key()]
		if !ok {
			cp := f
			cp.Service, cp.Confidence, cp.Evidence = "", session.ConfidenceIndirect, nil
			merged[f.Key()] = &cp
			m = &cp
			order = append(order, f.Key())
		}
		for _, e := range f.Evidence {
			m.Evidence = append(m.Evidence, fmt.Sprintf("calls %s: %s", f.Service, e))
		}
	}
	out := make([]session.App, 0, len(order))
	for _, k := range order {
		out = append(out, *merged[k])
	}
	return out, err
}
