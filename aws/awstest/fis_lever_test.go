package awstest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	fistypes "github.com/aws/aws-sdk-go-v2/service/fis/types"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
)

// The safety lever as safety-lever.html describes it: disengaged by default; engaged, it
// stops running experiments and a start ends cancelled; another lever ID is not found.
func TestFISSafetyLever(t *testing.T) {
	ctx := context.Background()
	clock := awstest.NewFakeClock(fisTestEpoch)
	srv := awstest.New(awstest.WithClock(clock))
	defer srv.Close()
	seedFISTemplate(srv)
	c := newFISClient(srv)
	lever := func() fistypes.SafetyLeverStatus {
		t.Helper()
		out, err := c.GetSafetyLever(ctx, &fis.GetSafetyLeverInput{Id: awssdk.String(awstest.SafetyLeverID)})
		if err != nil {
			t.Fatal(err)
		}
		return out.SafetyLever.State.Status
	}
	if st := lever(); st != fistypes.SafetyLeverStatusDisengaged {
		t.Fatalf("default lever %s, want disengaged", st)
	}
	var nf *fistypes.ResourceNotFoundException
	if _, err := c.GetSafetyLever(ctx, &fis.GetSafetyLeverInput{Id: awssdk.String("other")}); !errors.As(err, &nf) {
		t.Errorf("unknown lever: %v", err)
	}
	running, err := c.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7")})
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(fisTestEpoch.Add(5 * time.Second))
	srv.SetSafetyLever("engaged", "freeze")
	if st := lever(); st != fistypes.SafetyLeverStatusEngaged {
		t.Fatalf("lever %s, want engaged", st)
	}
	clock.Set(fisTestEpoch.Add(time.Minute))
	g, err := c.GetExperiment(ctx, &fis.GetExperimentInput{Id: running.Experiment.Id})
	if err != nil {
		t.Fatal(err)
	}
	if g.Experiment.State.Status != fistypes.ExperimentStatusStopped {
		t.Errorf("running experiment under an engaged lever: %s", g.Experiment.State.Status)
	}
	late, err := c.StartExperiment(ctx, &fis.StartExperimentInput{ExperimentTemplateId: awssdk.String("EXT1a2b3c4d5e6f7"), ClientToken: awssdk.String("late")})
	if err != nil {
		t.Fatal(err)
	}
	if st := late.Experiment.State.Status; st != fistypes.ExperimentStatusCancelled {
		t.Errorf("start under an engaged lever: %s, want cancelled", st)
	}
}
