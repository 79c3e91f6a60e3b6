package kube

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestListPods(t *testing.T) {
	srv, cs := newTestCluster(t)
	api := srv.AddDeployment("shop", "api", map[string]string{"app": "api", "tier": "web"}, podSpec("api"), 2)
	db := srv.AddStatefulSet("shop", "db", map[string]string{"app": "db"}, podSpec("pg"), 2)
	ds := srv.AddDaemonSet("shop", "agent", map[string]string{"app": "agent"}, podSpec("a"), 1)
	srv.AddDeployment("other", "api", map[string]string{"app": "api"}, podSpec("api"), 1)
	tests := []struct {
		typ, value string
		want       []string
		wantErr    string
	}{
		{SelectorLabel, "app=api,tier=web", api, ""},
		{SelectorLabel, "app in (db)", db, ""},
		{SelectorPodName, db[1], db[1:], ""},
		{SelectorDeployment, "api", api, ""},
		{SelectorStatefulSet, "db", db, ""},
		{SelectorDaemonSet, "agent", ds, ""},
		{SelectorLabel, "app=none", []string{}, ""},
		{SelectorDeployment, "missing", nil, "not found"},
		{"nodeName", "x", nil, "unknown selectorType"},
		{SelectorLabel, "", nil, "empty"},
		{SelectorLabel, "app=(", nil, "labelSelector"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"="+tt.value, func(t *testing.T) {
			pods, err := ListPods(context.Background(), cs, "shop", tt.typ, tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			names := []string{}
			for _, p := range pods {
				names = append(names, p.Name)
				if p.Phase != "Running" || !p.Ready || p.Node == "" {
					t.Errorf("pod %+v", p)
				}
			}
			if !reflect.DeepEqual(names, tt.want) {
				t.Fatalf("pods = %v, want %v", names, tt.want)
			}
		})
	}
}
