package kube

import (
	"context"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestLookupWorkload(t *testing.T) {
	srv, cs := newTestCluster(t)
	srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, podSpec("api", "envoy"), 1)
	srv.AddStatefulSet("shop", "db", map[string]string{"app": "db"}, podSpec("pg"), 1)
	srv.AddDaemonSet("shop", "agent", map[string]string{"app": "agent"}, podSpec("a"), 1)
	srv.AddJob("shop", "nightly-1", "nightly", map[string]string{"app": "nightly"}, podSpec("n"))
	srv.AddPod(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "debug"}, Spec: podSpec("sh")})
	srv.Forbid("locked/deployments")
	tests := []struct {
		ns, name, kind string
		selector       map[string]string
		containers     []string
		wantErr        string
	}{
		{"shop", "api", "Deployment", map[string]string{"app": "api"}, []string{"api", "envoy"}, ""},
		{"shop", "db", "StatefulSet", map[string]string{"app": "db"}, []string{"pg"}, ""},
		{"shop", "agent", "DaemonSet", map[string]string{"app": "agent"}, []string{"a"}, ""},
		{"shop", "nightly", "CronJob", map[string]string{"app": "nightly"}, []string{"n"}, ""},
		{"shop", "debug", "Pod", nil, []string{"sh"}, ""},
		{"shop", "ghost", "", nil, nil, "no Deployment, StatefulSet"},
		{"locked", "api", "", nil, nil, "forbidden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, err := LookupWorkload(context.Background(), cs, "c1", tt.ns, tt.name)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if app.Key() != "c1/"+tt.ns+"/"+tt.name || app.Kind != tt.kind || !reflect.DeepEqual(app.Selector, tt.selector) ||
				!reflect.DeepEqual(app.Containers, tt.containers) || app.Service != "" {
				t.Fatalf("app = %+v", app)
			}
			if _, err := podListOptions(app); err != nil {
				t.Fatalf("app cannot be followed: %v", err)
			}
		})
	}
}
