package endpoints

import (
	"context"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

func analyticsClients(srv *awstest.Server) *awsapi.Clients {
	cfg := srv.Config()
	cfg.Retryer = func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 3; o.MaxBackoff = time.Millisecond })
	}
	return awsapi.NewClients(cfg)
}

func values(eps []session.ResourceEndpoint) string {
	var v []string
	for _, e := range eps {
		v = append(v, e.Kind+"="+e.Value)
	}
	return strings.Join(v, ",")
}

func TestLookupMSK(t *testing.T) {
	srv := awstest.New()
	defer srv.Close()
	arn := srv.AddMSKCluster(awstest.MSKCluster{Name: "orders",
		BootstrapBrokers:        "b-1.orders.x.kafka.us-east-1.amazonaws.com:9092,b-2.orders.x.kafka.us-east-1.amazonaws.com:9092",
		BootstrapBrokersTLS:     "b-1.orders.x.kafka.us-east-1.amazonaws.com:9094",
		BootstrapBrokersSaslIam: "b-1.orders.x.kafka.us-east-1.amazonaws.com:9098, b-1.orders.x.kafka.us-east-1.amazonaws.com:9094"})
	c := analyticsClients(srv)
	lookup := DefaultLookups()["aws:msk:cluster"]
	if lookup == nil || DefaultLookups()["aws:kafka:cluster"] == nil {
		t.Fatal("MSK lookups not registered")
	}
	tests := []struct {
		name    string
		r       health.Resource
		want    string
		wantErr string
	}{
		{"all brokers, deduplicated", health.Resource{ID: "orders", ARN: arn, Type: "aws:msk:cluster"},
			"bootstrap-broker=b-1.orders.x.kafka.us-east-1.amazonaws.com:9092,bootstrap-broker=b-2.orders.x.kafka.us-east-1.amazonaws.com:9092," +
				"bootstrap-broker=b-1.orders.x.kafka.us-east-1.amazonaws.com:9094,bootstrap-broker=b-1.orders.x.kafka.us-east-1.amazonaws.com:9098", ""},
		{"ARN as ID", health.Resource{ID: arn, Type: "aws:msk:cluster"}, "", ""},
		{"missing", health.Resource{ID: "x", ARN: arn + "-gone"}, "", "NotFoundException"},
		{"no ARN", health.Resource{ID: "orders"}, "", "ARN is needed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eps, err := lookup(context.Background(), c, tc.r)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.want != "" && values(eps) != tc.want {
				t.Fatalf("got %s", values(eps))
			}
			if len(eps) != 4 || eps[0].Service != "msk" || eps[0].Identifier != tc.r.ID {
				t.Fatalf("endpoints %+v", eps)
			}
		})
	}
}
