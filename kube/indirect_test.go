package kube

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/fis-mcp/fis-mcp/session"
)

func TestIndirectApps(t *testing.T) {
	srv, cs := newTestCluster(t)
	ctx := context.Background()
	env := func(k, v string) corev1.PodSpec {
		return corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Env: []corev1.EnvVar{{Name: k, Value: v}}}}}
	}
	srv.AddDeployment("shop", "orders-api", map[string]string{"app": "orders-api"}, env("DB_HOST", "db1.cluster-abc.us-east-1.rds.amazonaws.com"), 1)
	srv.AddService("shop", "orders", corev1.ServiceSpec{Selector: map[string]string{"app": "orders-api"}})
	srv.AddService("shop", "unrelated", corev1.ServiceSpec{Selector: map[string]string{"app": "other"}})
	srv.AddDeployment("shop", "storefront", map[string]string{"app": "storefront"}, env("ORDERS_URL", "http://orders.shop.svc.cluster.local/api"), 1)
	srv.AddDeployment("web", "admin", map[string]string{"app": "admin"}, env("BACKEND", "orders.shop:8080"), 1)
	srv.AddDeployment("shop", "reports", map[string]string{"app": "reports"}, env("URL", "http://unrelated.shop.svc"), 1)
	srv.AddDeployment("shop", "lookalike", map[string]string{"app": "lookalike"}, env("URL", "http://myorders.shop.svc"), 1)

	direct, err := Scan(ctx, cs, "c1", []session.ResourceEndpoint{{Service: "aws:rds:cluster", Identifier: "db1", Kind: "cluster-endpoint", Value: "db1.cluster-abc.us-east-1.rds.amazonaws.com"}})
	if err != nil || len(direct) != 1 || direct[0].Workload != "orders-api" {
		t.Fatalf("direct scan = %+v, %v", direct, err)
	}
	got, err := IndirectApps(ctx, cs, "c1", direct)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, a := range got {
		keys = append(keys, a.Key())
		if a.Service != "" || a.Confidence != session.ConfidenceIndirect {
			t.Errorf("%s: service %q confidence %q, want indirect with no service", a.Key(), a.Service, a.Confidence)
		}
		if len(a.Evidence) == 0 || !strings.Contains(a.Evidence[0], "calls shop/orders-api") {
			t.Errorf("%s: evidence %v does not name the app it calls", a.Key(), a.Evidence)
		}
	}
	if strings.Join(keys, ",") != "c1/shop/storefront,c1/web/admin" {
		t.Errorf("indirect apps = %v, want storefront (full DNS name) and admin (name.namespace), not reports, lookalike or orders-api itself", keys)
	}
}
