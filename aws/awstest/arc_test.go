package awstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/arczonalshift"
	"github.com/aws/smithy-go"
)

func TestARCFake(t *testing.T) {
	t0 := time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)
	srv := New()
	defer srv.Close()
	lb := "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/0123456789abcdef"
	srv.AddARCManagedResource(ARCManagedResource{Arn: lb, Name: "web"})
	srv.SetZonalShifts(lb, ARCZonalShift{AwayFrom: "use1-az1", Applied: true, Start: t0, Expiry: t0.Add(time.Hour)})
	client := arczonalshift.NewFromConfig(srv.Config())
	out, err := client.GetManagedResource(context.Background(), &arczonalshift.GetManagedResourceInput{ResourceIdentifier: aws.String(lb)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ZonalShifts) != 1 || string(out.ZonalShifts[0].AppliedStatus) != "APPLIED" || aws.ToString(out.ZonalShifts[0].AwayFrom) != "use1-az1" ||
		!out.ZonalShifts[0].ExpiryTime.Equal(t0.Add(time.Hour)) {
		t.Fatalf("resource %+v", out)
	}
	_, err = client.GetManagedResource(context.Background(), &arczonalshift.GetManagedResourceInput{ResourceIdentifier: aws.String(lb + "x")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("err %v", err)
	}
}
