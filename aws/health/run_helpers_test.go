package health

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// fakeAWS is the wire-level fake account behind a front server that can replace chosen
// replies (malformed or empty bodies) and translates ARC's signing name for the core router.
type fakeAWS struct {
	srv  *awstest.Server
	http *httptest.Server

	mu        sync.Mutex
	overrides []override
}

type override struct {
	service string         // SigV4 signing name
	path    *regexp.Regexp // matched against the URL path (or X-Amz-Target for awsJson)
	status  int
	body    string
	header  map[string]string
}

var scopeRE = regexp.MustCompile(`Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request`)

func newFakeAWS(t testing.TB, opts ...awstest.Option) *fakeAWS {
	t.Helper()
	f := &fakeAWS{srv: awstest.NewUnstarted(opts...)}
	f.http = httptest.NewServer(http.HandlerFunc(f.serve))
	f.srv.URL = f.http.URL
	t.Cleanup(f.http.Close)
	return f
}

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	// The SDK signs ARC zonal shift as arc-zonal-shift; the core routes it as percdataplane.
	auth = strings.Replace(auth, "/arc-zonal-shift/", "/percdataplane/", 1)
	r.Header.Set("Authorization", auth)
	svc := ""
	if m := scopeRE.FindStringSubmatch(auth); m != nil {
		svc = m[1]
	}
	f.mu.Lock()
	for _, o := range f.overrides {
		target := r.URL.Path
		if h := r.Header.Get("X-Amz-Target"); h != "" {
			target = h
		}
		if o.service == svc && o.path.MatchString(target) {
			f.mu.Unlock()
			for k, v := range o.header {
				w.Header().Set(k, v)
			}
			w.WriteHeader(o.status)
			_, _ = w.Write([]byte(o.body))
			return
		}
	}
	f.mu.Unlock()
	f.srv.ServeHTTP(w, r)
}

// replace makes requests of service whose path (or awsJson target) matches pattern get body.
func (f *fakeAWS) replace(service, pattern string, status int, contentType, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.overrides = append(f.overrides, override{service: service, path: regexp.MustCompile(pattern), status: status, body: body,
		header: map[string]string{"Content-Type": contentType}})
}

// clients returns SDK clients for the fake with quick retries.
func (f *fakeAWS) clients() *awsapi.Clients {
	cfg := f.srv.Config()
	cfg.Retryer = func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 4
			o.MaxBackoff = 5 * time.Millisecond
		})
	}
	return awsapi.NewClients(cfg)
}

func (f *fakeAWS) env() Env { return Env{Clients: f.clients()} }

// fakePods is a PodLister answering from a table.
type fakePods struct {
	pods map[string][]Pod // "cluster/namespace/selectorType=value" → pods
	err  error
}

func (p fakePods) ListPods(_ context.Context, cluster, namespace, selectorType, selectorValue string) ([]Pod, error) {
	if p.err != nil {
		return nil, p.err
	}
	return p.pods[cluster+"/"+namespace+"/"+selectorType+"="+selectorValue], nil
}
