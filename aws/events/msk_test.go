package events

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/health"
)

func TestReadMSKOperations(t *testing.T) {
	t0 := time.Date(2026, 4, 11, 10, 0, 0, 0, time.UTC)
	srv := awstest.New()
	defer srv.Close()
	arn := srv.AddMSKCluster(awstest.MSKCluster{Name: "orders", Operations: []awstest.MSKOperation{
		{Type: "UPDATE_CONFIG", State: "UPDATE_COMPLETE", Start: t0.Add(-2 * time.Hour), End: t0.Add(-time.Hour)},            // before
		{Type: "REBOOT_NODE", State: "UPDATE_COMPLETE", Start: t0.Add(time.Minute), End: t0.Add(4 * time.Minute)},            // inside
		{Type: "HEALING", State: "UPDATE_IN_PROGRESS", Start: t0.Add(-5 * time.Minute)},                                      // running across
		{Type: "UPDATE_BROKER_COUNT", State: "UPDATE_FAILED", Start: t0.Add(8 * time.Minute), End: t0.Add(15 * time.Minute)}, // ends after
		{Type: "LATER", State: "PENDING", Start: t0.Add(time.Hour)},                                                          // after
	}})
	for i := 0; i < 120; i++ { // a second page of older operations
		srv.AddMSKOperation(arn, awstest.MSKOperation{Type: "OLD", State: "UPDATE_COMPLETE", Start: t0.Add(-48 * time.Hour), End: t0.Add(-47 * time.Hour)})
	}
	c := eventClients(srv)
	read := DefaultReaders()["aws:kafka:cluster"]
	if DefaultReaders()["aws:msk:cluster"] == nil {
		t.Fatal("aws:msk:cluster not registered")
	}
	evs, err := read(context.Background(), c, []health.Resource{{ID: "orders", ARN: arn}}, t0, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range evs {
		got = append(got, e.Time.Format("15:04")+" "+e.Kind+" "+e.Message)
	}
	want := []string{
		"10:00 operation-in-progress MSK cluster orders operation HEALING in progress since 2026-04-11T09:55:00Z (UPDATE_IN_PROGRESS)",
		"10:01 operation-start MSK cluster orders operation REBOOT_NODE started",
		"10:04 operation-end MSK cluster orders operation REBOOT_NODE ended: UPDATE_COMPLETE",
		"10:08 operation-start MSK cluster orders operation UPDATE_BROKER_COUNT started",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if srv.CallCount("kafka", "ListClusterOperationsV2") != 2 {
		t.Fatalf("%d pages read", srv.CallCount("kafka", "ListClusterOperationsV2"))
	}
	if _, err := read(context.Background(), c, []health.Resource{{ID: "orders"}}, t0, t0); err == nil {
		t.Fatal("no error without ARN")
	}
}
