package awstest_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// An experiment re-created from its record (after a JSON round trip) on another server
// reads the same as on the original at any later time: state, actions, targets, tags,
// the client token's idempotency; a stop taken over by RestoreExperiment shows; the
// next ID comes from SetExperimentIDs.
func TestFISRestoreExperiment(t *testing.T) {
	ctx := context.Background()
	clock := awstest.NewFakeClock(fisTestEpoch)
	a := awstest.New(awstest.WithClock(clock))
	defer a.Close()
	seedFISTemplate(a)
	out, err := newFISClient(a).StartExperiment(ctx, &fis.StartExperimentInput{
		ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7"), ClientToken: awssdk.String("tok"), Tags: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.Experiment.Id
	b, err := json.Marshal(a.ExperimentRecords())
	if err != nil {
		t.Fatal(err)
	}
	var recs []awstest.ExperimentRecord
	if err := json.Unmarshal(b, &recs); err != nil || len(recs) != 1 {
		t.Fatalf("records round trip: %v %s", err, b)
	}

	b2 := awstest.New(awstest.WithClock(clock))
	defer b2.Close()
	seedFISTemplate(b2)
	if created, err := b2.RestoreExperiment(recs[0]); err != nil || !created {
		t.Fatalf("RestoreExperiment: created %v, %v", created, err)
	}
	if created, err := b2.RestoreExperiment(recs[0]); err != nil || created {
		t.Errorf("restoring a known experiment again: created %v, %v", created, err)
	}
	for _, d := range []time.Duration{0, 2 * time.Second, 20 * time.Second, 2 * time.Minute} {
		clock.Set(fisTestEpoch.Add(d))
		ga, err1 := newFISClient(a).GetExperiment(ctx, &fis.GetExperimentInput{Id: &id})
		gb, err2 := newFISClient(b2).GetExperiment(ctx, &fis.GetExperimentInput{Id: &id})
		if err1 != nil || err2 != nil {
			t.Fatalf("GetExperiment at +%s: %v / %v", d, err1, err2)
		}
		if !reflect.DeepEqual(ga.Experiment, gb.Experiment) {
			t.Errorf("at +%s the restored experiment differs:\noriginal %+v\nrestored %+v", d, *ga.Experiment.State, *gb.Experiment.State)
		}
	}
	again, err := newFISClient(b2).StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7"), ClientToken: awssdk.String("tok")})
	if err != nil || *again.Experiment.Id != id {
		t.Errorf("the client token after a restore: %v %v, want %s", again, err, id)
	}

	b2.SetExperimentIDs(func() string { return "EXP00000000000000042" })
	next, err := newFISClient(b2).StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7"), ClientToken: awssdk.String("tok2")})
	if err != nil || *next.Experiment.Id != "EXP00000000000000042" {
		t.Errorf("SetExperimentIDs: %v %v", next, err)
	}

	stopped := recs[0]
	stopped.StopAt, stopped.StopReason = fisTestEpoch.Add(5*time.Second), "stopped elsewhere"
	if created, err := b2.RestoreExperiment(stopped); err != nil || created {
		t.Errorf("restoring a stop: created %v, %v", created, err)
	}
	if g, err := newFISClient(b2).GetExperiment(ctx, &fis.GetExperimentInput{Id: &id}); err != nil || g.Experiment.State.Status != "stopped" {
		t.Errorf("a stop taken over from a record: %v, want stopped", err)
		if err == nil {
			t.Logf("state %+v", *g.Experiment.State)
		}
	}
	c := awstest.New(awstest.WithClock(clock))
	defer c.Close()
	seedFISTemplate(c)
	if _, err := c.RestoreExperiment(awstest.ExperimentRecord{ID: "EXPx", TemplateID: "EXTnope", Created: clock.Now()}); err == nil {
		t.Error("a record of an unknown template was restored")
	}
	if _, err := c.RestoreExperiment(awstest.ExperimentRecord{TemplateID: "EXT1a2b3c4d5e6f7"}); err == nil {
		t.Error("a record without an ID was restored")
	}
}
