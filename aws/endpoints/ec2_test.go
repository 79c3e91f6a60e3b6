package endpoints

import (
	"context"
	"reflect"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func TestEC2Lookup(t *testing.T) {
	srv, c := dataStoreFake(t)
	srv.AddInstance(awstest.Instance{ID: "i-0a1", PrivateIP: "10.0.1.15"})
	eps, err := DefaultLookups()["aws:ec2:instance"](context.Background(), c, health.Resource{ID: "i-0a1", Type: "aws:ec2:instance"})
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{KindPrivateIP, "10.0.1.15"}, {KindPrivateDNS, "ip-10-0-1-15.ec2.internal"}}
	if got := kindsValues(eps); !reflect.DeepEqual(got, want) {
		t.Errorf("endpoints = %v, want %v", got, want)
	}
	if _, err := DefaultLookups()["aws:ec2:instance"](context.Background(), c, health.Resource{ID: "i-0ff"}); err == nil {
		t.Error("missing instance: no error")
	}
}
