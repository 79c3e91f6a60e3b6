package sim

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/rs/zerolog"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

var shortTiming = Timing{Initiating: 300 * time.Millisecond, Fault: 2 * time.Second, Failover: time.Second}

// persisted starts an account on dir with the given clock; it is closed at the end of the test.
func persisted(t *testing.T, dir string, clock awstest.Clock, log zerolog.Logger) *Account {
	t.Helper()
	a, err := New(WithTiming(shortTiming), WithStateDir(dir, log), func(o *options) { o.clock = clock })
	if err != nil {
		t.Fatalf("New on %s: %v", dir, err)
	}
	t.Cleanup(a.Close)
	return a
}

func fisClient(a *Account) *fis.Client { return fis.NewFromConfig(a.AWS.Config()) }

func startExp(t *testing.T, a *Account, token string) string {
	t.Helper()
	out, err := fisClient(a).StartExperiment(context.Background(), &fis.StartExperimentInput{
		ExperimentTemplateId: awssdk.String(TemplateID), ClientToken: awssdk.String(token)})
	if err != nil {
		t.Fatalf("StartExperiment: %v", err)
	}
	return *out.Experiment.Id
}

func expState(t *testing.T, a *Account, id string) (string, map[string]string) {
	t.Helper()
	out, err := fisClient(a).GetExperiment(context.Background(), &fis.GetExperimentInput{Id: awssdk.String(id)})
	if err != nil {
		t.Fatalf("GetExperiment %s after a restart: %v", id, err)
	}
	actions := map[string]string{}
	for name, act := range out.Experiment.Actions {
		actions[name] = string(act.State.Status)
	}
	return string(out.Experiment.State.Status), actions
}

// podLog reads a container's log (with timestamps) from the account's Kubernetes API, from since.
func podLog(t *testing.T, a *Account, pod, container string, since time.Time) string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(a.Kube.CAData())
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	u := fmt.Sprintf("%s/api/v1/namespaces/%s/pods/%s/log?container=%s&timestamps=true&sinceTime=%s",
		a.Kube.URL, Namespace, pod, container, url.QueryEscape(since.UTC().Format(time.RFC3339)))
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer k8s-aws-v1.test")
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("pod log %s: %d %s", pod, resp.StatusCode, b)
	}
	return string(b)
}

func podNames(a *Account, app string) []string { return a.Pods(app) }

// A run started in one process continues in the next on the same state directory: the
// experiment is known and has progressed with the clock, the scenario's resource changes
// and pod logs are there, pods keep their start times, a repeated client token returns
// the same experiment, a new start gets a new ID, and a stop is remembered.
func TestRestartContinuesTheRun(t *testing.T) {
	dir := t.TempDir()
	clock := awstest.NewFakeClock(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
	log := zerolog.Nop()

	a1 := persisted(t, dir, clock, log)
	pods1 := podNames(a1, "orders-api")
	start1 := a1.Kube.Pod(Namespace, pods1[0]).Status.StartTime.Time
	clock.Advance(10 * time.Second)
	id1 := startExp(t, a1, "token-1")
	if id1 != "EXP00000000000000001" {
		t.Errorf("first experiment of a fresh state directory: %s", id1)
	}
	started := clock.Now()
	a1.Close()

	// Restart in the middle of the run: initiating, then running.
	clock.Advance(time.Second)
	a2 := persisted(t, dir, clock, log)
	if st, _ := expState(t, a2, id1); st != "running" {
		t.Errorf("1 s after the start, a restarted account says %s, want running", st)
	}
	if tr := a2.Truth(); tr.ExperimentID != id1 || !tr.Start.Equal(started) || !tr.FaultStart.Equal(started.Add(500*time.Millisecond+shortTiming.Initiating)) {
		t.Errorf("restored truth %+v, want experiment %s started at %s", tr, id1, started)
	}
	pods2 := podNames(a2, "orders-api")
	if strings.Join(pods1, ",") != strings.Join(pods2, ",") || !a2.Kube.Pod(Namespace, pods2[0]).Status.StartTime.Time.Equal(start1) {
		t.Errorf("pods after a restart: %v started %v, want %v started %v (the same incarnations)", pods2, a2.Kube.Pod(Namespace, pods2[0]).Status.StartTime, pods1, start1)
	}
	a2.Close()

	clock.Advance(time.Minute)
	a3 := persisted(t, dir, clock, log)
	st, actions := expState(t, a3, id1)
	if st != "completed" || actions["Failover-RDS"] != "completed" || actions["Stop-EKS-Nodes"] != "completed" {
		t.Errorf("a minute later: %s %v, want completed with every action completed", st, actions)
	}
	// The Aurora failover was scripted again: the writer is now in another AZ.
	if w := writer(t, a3); w != Aurora+"-instance-2" {
		t.Errorf("writer after the restored failover: %s, want %s-instance-2", w, Aurora)
	}
	// The pod logs of the fault window show the errors (what a resumed follower reads).
	logs := podLog(t, a3, pods1[0], "orders-api", started)
	if !strings.Contains(logs, "terminating connection due to administrator command") || !strings.Contains(logs, "reconnected to demo-aurora writer") {
		t.Errorf("orders-api log after a restart lacks the fault's errors and recovery:\n%.600s", logs)
	}
	if again := startExp(t, a3, "token-1"); again != id1 {
		t.Errorf("the same client token after a restart started %s, want %s", again, id1)
	}
	id2 := startExp(t, a3, "token-2")
	if id2 == id1 {
		t.Fatalf("a second start reused %s", id1)
	}
	if _, err := fisClient(a3).StopExperiment(context.Background(), &fis.StopExperimentInput{Id: awssdk.String(id2)}); err != nil {
		t.Fatal(err)
	}
	a3.Close()

	clock.Advance(time.Minute)
	a4 := persisted(t, dir, clock, log)
	if st, _ := expState(t, a4, id2); st != "stopping" && st != "stopped" {
		t.Errorf("a stopped experiment after a restart: %s, want stopping or stopped", st)
	}
	if st, _ := expState(t, a4, id1); st != "completed" {
		t.Errorf("the first experiment after two restarts: %s", st)
	}
	// Both experiments' failovers are re-scripted in order: the second one moved the
	// writer back.
	if w := writer(t, a4); w != Aurora+"-instance-1" {
		t.Errorf("writer after two restored failovers: %s, want %s-instance-1", w, Aurora)
	}
}

func writer(t *testing.T, a *Account) string {
	t.Helper()
	dbs, err := rds.NewFromConfig(a.AWS.Config()).DescribeDBClusters(context.Background(), &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(Aurora)})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range dbs.DBClusters[0].DBClusterMembers {
		if *m.IsClusterWriter {
			return *m.DBInstanceIdentifier
		}
	}
	return ""
}

// Two processes on one state directory at the same time hand out distinct IDs and see
// each other's experiments.
func TestConcurrentAccountsShareTheState(t *testing.T) {
	dir := t.TempDir()
	clock := awstest.NewFakeClock(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
	a := persisted(t, dir, clock, zerolog.Nop())
	b := persisted(t, dir, clock, zerolog.Nop())
	ids := make([]string, 6)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acct := a
			if i%2 == 1 {
				acct = b
			}
			ids[i] = startExp(t, acct, fmt.Sprintf("tok-%d", i))
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("ID %s handed out twice: %v", id, ids)
		}
		seen[id] = true
	}
	for _, id := range ids {
		for _, acct := range []*Account{a, b} {
			expState(t, acct, id) // fails the test when unknown
		}
	}
}

// An unreadable state file never fails (or panics) the account: it is moved aside with a
// warning, and the fresh account's experiment IDs differ from the lost state's.
func TestCorruptStateStartsFresh(t *testing.T) {
	for name, content := range map[string]string{
		"garbage":       "{not json",
		"empty":         "",
		"other version": `{"version": 99, "epoch": "2026-12-02T10:00:00Z"}`,
		"no epoch":      `{"version": 1}`,
		"bad record":    `{"version": 1, "epoch": "2026-12-02T10:00:00Z", "experiments": [{"id": "EXP00000000000000001", "template_id": "EXTnope", "created": "2026-12-02T10:00:00Z"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, StateFileName), []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			log := zerolog.New(&buf)
			a := persisted(t, dir, awstest.NewFakeClock(time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)), log)
			if !strings.Contains(buf.String(), `"level":"warn"`) {
				t.Errorf("no warning logged: %s", buf.String())
			}
			id := startExp(t, a, "tok")
			if id == "EXP00000000000000001" {
				t.Errorf("a fresh start after an unreadable state reuses %s", id)
			}
			if _, _, err := readState(filepath.Join(dir, StateFileName)); err != nil {
				t.Errorf("the state written after the fresh start is unreadable: %v", err)
			}
			if name != "bad record" {
				if m, _ := filepath.Glob(filepath.Join(dir, StateFileName+".corrupt-*")); len(m) != 1 {
					t.Errorf("the unreadable state was not kept aside: %v", m)
				}
			}
		})
	}
}

// Without WithStateDir nothing is written and IDs start at 1 in every account, as before.
func TestUnpersistedAccount(t *testing.T) {
	a, err := New(WithTiming(shortTiming))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.StateDir() != "" {
		t.Errorf("StateDir %q without WithStateDir", a.StateDir())
	}
	if id := startExp(t, a, "x"); id != "EXP00000000000000001" {
		t.Errorf("first ID %s", id)
	}
}
