package clusters

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// newFake starts the fake account behind a front that answers DescribeCluster of
// "broken" with a malformed body.
func newFake(t *testing.T) (*awstest.Server, *awsapi.Clients) {
	t.Helper()
	srv := awstest.NewUnstarted()
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/clusters/garbled" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"cluster": {"name": "garbled", "certificateAuthority": {"data": "%%%"}, "endpoint": "https://g"}}`))
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(h.Close)
	srv.URL = h.URL
	cfg := srv.Config()
	cfg.Retryer = func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 3; o.MaxBackoff = time.Millisecond })
	}
	return srv, awsapi.NewClients(cfg)
}

func TestList(t *testing.T) {
	srv, c := newFake(t)
	ca := []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
	srv.AddEKSCluster(awstest.EKSCluster{Name: "prod", Endpoint: "https://prod.eks", CAData: ca, LoggingTypes: []string{"api", "audit"}})
	srv.AddEKSCluster(awstest.EKSCluster{Name: "garbled"})
	srv.AddEKSCluster(awstest.EKSCluster{Name: "creating", Status: "CREATING"})
	for i := 0; i < 120; i++ { // more than one ListClusters page
		srv.AddEKSCluster(awstest.EKSCluster{Name: fmt.Sprintf("zz-%03d", i), Endpoint: "https://z", CAData: ca})
	}
	got, err := List(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 123 || srv.CallCount("eks", "ListClusters") != 2 {
		t.Fatalf("%d clusters, %d ListClusters calls", len(got), srv.CallCount("eks", "ListClusters"))
	}
	by := map[string]Cluster{}
	for _, cl := range got {
		by[cl.Name] = cl
	}
	p := by["prod"]
	if p.Error != "" || p.Endpoint != "https://prod.eks" || string(p.CAData) != string(ca) || p.Status != "ACTIVE" || p.Version != "1.31" ||
		strings.Join(p.LoggingTypes, ",") != "api,audit" || !strings.HasSuffix(p.Arn, ":cluster/prod") {
		t.Fatalf("prod %+v", p)
	}
	if g := by["garbled"]; !strings.Contains(g.Error, "not base64") {
		t.Fatalf("garbled %+v", g)
	}
	if cr := by["creating"]; !strings.Contains(cr.Error, "no API endpoint (status CREATING)") {
		t.Fatalf("creating %+v", cr)
	}
}

func TestListNames(t *testing.T) {
	srv, c := newFake(t)
	srv.AddEKSCluster(awstest.EKSCluster{Name: "prod", Endpoint: "https://prod.eks", CAData: []byte("x")})
	srv.InjectFault(awstest.Fault{Service: "eks", Operation: "DescribeCluster", Status: 429, Code: "ThrottlingException", Times: 1})
	got, err := List(context.Background(), c, []string{"gone", "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "gone" || !strings.Contains(got[0].Error, "ResourceNotFoundException") || got[1].Error != "" {
		t.Fatalf("%+v", got)
	}
	if srv.CallCount("eks", "ListClusters") != 0 {
		t.Fatal("listed clusters although names were given")
	}
}

func TestListDenied(t *testing.T) {
	srv, c := newFake(t)
	srv.InjectFault(awstest.Fault{Service: "eks", Operation: "ListClusters", Status: 403, Code: "AccessDeniedException"})
	_, err := List(context.Background(), c, nil)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" || !strings.Contains(err.Error(), "eks:ListClusters") {
		t.Fatalf("err %v", err)
	}
}
