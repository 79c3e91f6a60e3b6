package kube

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fis-mcp/fis-mcp/kube/kubetest"
	"github.com/fis-mcp/fis-mcp/session"
)

const (
	writerEP   = "db1.cluster-abc123.us-east-1.rds.amazonaws.com"
	readerEP   = "db1.cluster-ro-abc123.us-east-1.rds.amazonaws.com"
	cacheEP    = "master.orders-cache.abc123.use1.cache.amazonaws.com"
	secretVal  = "S3cr3t-Hunter2-value"
	dbPassword = "Pa55w0rd-in-url"
)

var scanEndpoints = []session.ResourceEndpoint{
	{Service: "rds", Identifier: "db1", Kind: "cluster-endpoint", Value: writerEP},
	{Service: "rds", Identifier: "db1", Kind: "reader-endpoint", Value: readerEP},
	{Service: "rds", Identifier: "db1", Kind: "identifier", Value: "db1"},
	{Service: "elasticache", Identifier: "orders-cache", Kind: "primary-endpoint", Value: cacheEP},
	{Service: "ec2", Identifier: "i-0abc123", Kind: "private-ip", Value: "10.0.1.5"},
	{Service: "rds", Identifier: "db", Kind: "identifier", Value: "db"},                     // generic word: ignored
	{Service: "rds", Identifier: "x", Kind: "region", Value: "us-east-1.rds.amazonaws.com"}, // domain suffix: ignored
}

func envSpec(container string, env ...corev1.EnvVar) corev1.PodSpec {
	s := podSpec(container)
	s.Containers[0].Env = env
	return s
}

func seedScanCluster(srv *kubetest.Server) {
	// env value with credentials in a URL.
	srv.AddDeployment("shop", "api", map[string]string{"app": "api"}, envSpec("api",
		corev1.EnvVar{Name: "DATABASE_URL", Value: "postgres://app:" + dbPassword + "@" + writerEP + ":5432/orders"}), 2)
	// init container env only.
	spec := podSpec("app")
	spec.InitContainers = []corev1.Container{{Name: "migrate", Env: []corev1.EnvVar{{Name: "DB_HOST", Value: strings.ToUpper(readerEP)}}}}
	srv.AddDeployment("shop", "migrator", map[string]string{"app": "migrator"}, spec, 1)
	// envFrom ConfigMap.
	srv.AddConfigMap("shop", "cart-env", map[string]string{"CACHE_URL": "rediss://" + cacheEP + ":6379", "LOG_LEVEL": "info"})
	spec = podSpec("cart")
	spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cart-env"}}}}
	srv.AddDeployment("shop", "cart", map[string]string{"app": "cart"}, spec, 1)
	// ConfigMap mounted as a volume.
	srv.AddConfigMap("shop", "billing-files", map[string]string{"application.yaml": "spring:\n  datasource:\n    url: jdbc:mysql://" + writerEP + "/billing\n"})
	spec = podSpec("billing")
	spec.Volumes = []corev1.Volume{{Name: "config", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "billing-files"}}}}}
	srv.AddStatefulSet("shop", "billing", map[string]string{"app": "billing"}, spec, 2)
	// Projected volume ConfigMap source.
	srv.AddConfigMap("shop", "report-cfg", map[string]string{"hosts": "cache=" + cacheEP})
	spec = podSpec("report")
	spec.Volumes = []corev1.Volume{{Name: "all", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
		{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "report-cfg"}}},
	}}}}}
	srv.AddJob("shop", "report-29000000", "report", map[string]string{"app": "report"}, spec)
	// Secret key names only: the value holds the endpoint but must never be read.
	srv.AddSecret("shop", "db-creds", map[string]string{"DB1_PASSWORD": secretVal, "host": writerEP})
	spec = podSpec("auth")
	spec.Containers[0].Env = []corev1.EnvVar{{Name: "PGPASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "db-creds"}, Key: "DB1_PASSWORD"}}}}
	srv.AddDeployment("shop", "auth", map[string]string{"app": "auth"}, spec, 1)
	// A secret whose value (not key) mentions the endpoint: no app.
	spec = podSpec("quiet")
	spec.Containers[0].EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "db-creds"}}}}
	srv.AddSecret("shop", "quiet-creds", map[string]string{"host": writerEP})
	spec.Containers[0].EnvFrom[0].SecretRef.Name = "quiet-creds"
	srv.AddDeployment("shop", "quiet", map[string]string{"app": "quiet"}, spec, 1)
	// ExternalName service pointing at the writer, used by short name and FQDN.
	srv.AddService("shop", "orders-db", corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: writerEP})
	srv.AddDeployment("shop", "worker", map[string]string{"app": "worker"}, envSpec("worker", corev1.EnvVar{Name: "DB_HOST", Value: "orders-db"}), 1)
	srv.AddDaemonSet("ops", "agent", map[string]string{"app": "agent"}, envSpec("agent", corev1.EnvVar{Name: "TARGET", Value: "orders-db.shop.svc.cluster.local:5432"}), 2)
	// Short name from another namespace: not that service.
	srv.AddDeployment("ops", "stranger", map[string]string{"app": "stranger"}, envSpec("s", corev1.EnvVar{Name: "DB_HOST", Value: "orders-db"}), 1)
	// Anchoring: db10 and mydb1 are other databases; IP prefixes do not match.
	srv.AddDeployment("other", "lookalike", map[string]string{"app": "lookalike"}, envSpec("l",
		corev1.EnvVar{Name: "A", Value: "db10.cluster-abc123.us-east-1.rds.amazonaws.com"},
		corev1.EnvVar{Name: "B", Value: "mydb1.example.com"},
		corev1.EnvVar{Name: "C", Value: "10.0.1.55:6379"},
		corev1.EnvVar{Name: "D", Value: "110.0.1.5"},
		corev1.EnvVar{Name: "E", Value: "x" + writerEP},
		corev1.EnvVar{Name: "F", Value: "db.internal us-east-1.rds.amazonaws.com"},
	), 1)
	// The "{id}." form and a whole IP match.
	srv.AddDeployment("other", "idref", map[string]string{"app": "idref"}, envSpec("i",
		corev1.EnvVar{Name: "HOST", Value: "db1.cluster-zzz.us-east-1.rds.amazonaws.com"},
		corev1.EnvVar{Name: "REDIS", Value: "10.0.1.5:6379"},
	), 1)
	// A bare pod.
	srv.AddPod(&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "other", Name: "debug", Labels: map[string]string{"run": "debug"}},
		Spec: envSpec("sh", corev1.EnvVar{Name: "PGHOST", Value: writerEP})})
	// FIS injects ephemeral containers; a pod with no references stays out.
	srv.AddDeployment("other", "unrelated", map[string]string{"app": "unrelated"}, envSpec("u", corev1.EnvVar{Name: "X", Value: "example.com"}), 1)
}

func TestScan(t *testing.T) {
	srv, cs := newTestCluster(t)
	seedScanCluster(srv)
	apps, err := Scan(context.Background(), cs, "c1", scanEndpoints)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		kind, service, confidence string
		containers                []string
		selector                  map[string]string
		evidence                  []string
	}
	wants := map[string]want{
		"shop/api": {"Deployment", "db1", session.ConfidenceConfirmed, []string{"api"}, map[string]string{"app": "api"},
			[]string{"env DATABASE_URL of container api in pod api-", "value redacted: ****.cluster-abc123.us-east-1.rds.amazonaws.com"}},
		"shop/migrator": {"Deployment", "db1", session.ConfidenceConfirmed, []string{"app"}, map[string]string{"app": "migrator"},
			[]string{"env DB_HOST of init container migrate"}},
		"shop/cart": {"Deployment", "orders-cache", session.ConfidenceConfirmed, []string{"cart"}, map[string]string{"app": "cart"},
			[]string{"envFrom configmap cart-env key CACHE_URL of container cart", "****.orders-cache.abc123"}},
		"shop/billing": {"StatefulSet", "db1", session.ConfidenceConfirmed, []string{"billing"}, map[string]string{"app": "billing"},
			[]string{"configmap billing-files key application.yaml (volume config) in pod billing-0"}},
		"shop/report": {"CronJob", "orders-cache", session.ConfidenceConfirmed, []string{"report"}, map[string]string{"app": "report"},
			[]string{"projected volume all configmap report-cfg key hosts"}},
		"shop/auth": {"Deployment", "db1", session.ConfidenceMayReference, []string{"auth"}, map[string]string{"app": "auth"},
			[]string{"secret db-creds key DB1_PASSWORD (env PGPASSWORD of container auth)", "key name only"}},
		"shop/worker": {"Deployment", "db1", session.ConfidenceConfirmed, []string{"worker"}, map[string]string{"app": "worker"},
			[]string{"env DB_HOST of container worker", "orders-db → ExternalName service shop/orders-db"}},
		"ops/agent": {"DaemonSet", "db1", session.ConfidenceConfirmed, []string{"agent"}, map[string]string{"app": "agent"},
			[]string{"ExternalName service shop/orders-db"}},
		"other/idref#db1": {"Deployment", "db1", session.ConfidenceConfirmed, []string{"i"}, map[string]string{"app": "idref"},
			[]string{"env HOST", "db1.…"}},
		"other/idref#i-0abc123": {"Deployment", "i-0abc123", session.ConfidenceConfirmed, []string{"i"}, map[string]string{"app": "idref"},
			[]string{"env REDIS", "10.0.1.5"}},
		"other/debug": {"Pod", "db1", session.ConfidenceConfirmed, []string{"sh"}, nil, []string{"env PGHOST of container sh in pod debug"}},
	}
	got := map[string]session.App{}
	for _, a := range apps {
		k := a.Namespace + "/" + a.Workload
		if a.Workload == "idref" {
			k += "#" + a.Service
		}
		if _, dup := got[k]; dup {
			t.Fatalf("duplicate app %s", k)
		}
		got[k] = a
	}
	for k, w := range wants {
		a, ok := got[k]
		if !ok {
			t.Errorf("missing app %s", k)
			continue
		}
		if a.Cluster != "c1" || a.Kind != w.kind || a.Service != w.service || a.Confidence != w.confidence ||
			!reflect.DeepEqual(a.Containers, w.containers) || !reflect.DeepEqual(a.Selector, w.selector) {
			t.Errorf("%s = %+v, want %+v", k, a, w)
		}
		ev := strings.Join(a.Evidence, " | ")
		for _, e := range w.evidence {
			if !strings.Contains(ev, e) {
				t.Errorf("%s evidence %q lacks %q", k, ev, e)
			}
		}
	}
	for k := range got {
		if _, ok := wants[k]; !ok {
			t.Errorf("unexpected app %s: %+v", k, got[k])
		}
	}
	// Replicas do not repeat evidence.
	if n := len(got["shop/api"].Evidence); n != 1 {
		t.Errorf("api evidence has %d entries, want 1: %v", n, got["shop/api"].Evidence)
	}
	// No secret value and no credential from a URL ever comes back.
	b, _ := json.Marshal(apps)
	for _, secret := range []string{secretVal, dbPassword, "postgres://"} {
		if strings.Contains(string(b), secret) {
			t.Fatalf("scan result leaks %q", secret)
		}
	}
	// Deterministic order.
	again, _ := Scan(context.Background(), cs, "c1", scanEndpoints)
	if !reflect.DeepEqual(apps, again) {
		t.Fatal("scan is not deterministic")
	}
	for i := 1; i < len(apps); i++ {
		a, b := apps[i-1], apps[i]
		if a.Namespace > b.Namespace || a.Namespace == b.Namespace && a.Workload > b.Workload {
			t.Fatalf("apps not sorted: %s before %s", a.Key(), b.Key())
		}
	}
}

func TestScanIncompleteAndErrors(t *testing.T) {
	srv, cs := newTestCluster(t)
	seedScanCluster(srv)
	srv.Forbid("shop/secrets")
	srv.Forbid("ops/pods")
	apps, err := Scan(context.Background(), cs, "c1", scanEndpoints)
	var inc *IncompleteScanError
	if !errors.As(err, &inc) || len(inc.Problems) != 2 {
		t.Fatalf("err = %v, want IncompleteScanError with 2 problems", err)
	}
	if !strings.Contains(err.Error(), "namespace shop: list secrets") || !strings.Contains(err.Error(), "namespace ops: list pods") {
		t.Fatalf("err = %v", err)
	}
	for _, a := range apps {
		if a.Namespace == "ops" {
			t.Fatalf("app from unreadable namespace: %+v", a)
		}
		if a.Workload == "quiet" {
			t.Fatalf("app from a secret value: %+v", a)
		}
	}
	// The key a secretKeyRef names is in the pod spec: still found without reading secrets.
	found := false
	for _, a := range apps {
		found = found || a.Workload == "auth" && a.Confidence == session.ConfidenceMayReference
	}
	if !found {
		t.Fatal("auth not found from its secretKeyRef key name")
	}
	if len(apps) == 0 {
		t.Fatal("readable namespaces should still give apps")
	}

	srv.Forbid("namespaces")
	if _, err := Scan(context.Background(), cs, "c1", scanEndpoints); err == nil || !strings.Contains(err.Error(), "list namespaces in cluster c1") {
		t.Fatalf("err = %v", err)
	}
	if apps, err := Scan(context.Background(), cs, "c1", nil); apps != nil || err != nil {
		t.Fatalf("no endpoints: %v %v", apps, err)
	}
}

func TestMatcherAnchoring(t *testing.T) {
	m := newMatcher(scanEndpoints)
	tests := []struct {
		value string
		want  []string // services
	}{
		{writerEP, []string{"db1"}},
		{"DB1.CLUSTER-ABC123.US-EAST-1.RDS.AMAZONAWS.COM", []string{"db1"}},
		{"jdbc:postgresql://" + writerEP + ":5432/x", []string{"db1"}},
		{writerEP + ".", []string{"db1"}},
		{"db10.cluster-abc123.us-east-1.rds.amazonaws.com", nil},
		{"mydb1.example.com", nil},
		{"db1-replica.example.com", nil},
		{"db1", nil},
		{"db1.", nil},
		{"host=db1.internal", []string{"db1"}},
		{"10.0.1.5", []string{"i-0abc123"}},
		{"10.0.1.5:6379", []string{"i-0abc123"}},
		{"10.0.1.50", nil},
		{"210.0.1.5", nil},
		{"10.0.1.5.1", nil},
		{"rds.amazonaws.com us-east-1.rds.amazonaws.com", nil},
		{"db.example.com", nil},
		{"orders-cache.abc123.use1.cache.amazonaws.com", []string{"orders-cache"}},
	}
	for _, tt := range tests {
		var got []string
		seen := map[string]bool{}
		for _, h := range m.find(tt.value, nil) {
			if !seen[h.n.service] {
				seen[h.n.service] = true
				got = append(got, h.n.service)
			}
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("find(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
	keys := []struct {
		key  string
		want []string
	}{
		{"DB1_HOST", []string{"db1"}},
		{"db1-password", []string{"db1"}},
		{"DB10_HOST", nil},
		{"ORDERS_CACHE_URL", []string{"orders-cache"}},
		{"ORDERS_URL", nil},
		{"DB_HOST", nil},
	}
	for _, k := range keys {
		if got := m.keyMentions(k.key); !reflect.DeepEqual(got, k.want) {
			t.Errorf("keyMentions(%q) = %v, want %v", k.key, got, k.want)
		}
	}
}
