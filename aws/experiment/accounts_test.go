package experiment_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/aws/experiment"
	"github.com/fis-mcp/fis-mcp/session"
)

// TestGetTemplateTargetAccounts: a multi-account template's target account configurations are
// read with ListTargetAccountConfigurations (all pages), sorted by account; a single-account
// template does not call it (https://docs.aws.amazon.com/fis/latest/userguide/experiment-options.html#account-targeting,
// https://docs.aws.amazon.com/fis/latest/APIReference/API_ListTargetAccountConfigurations.html).
func TestGetTemplateTargetAccounts(t *testing.T) {
	ctx := context.Background()
	srv := awstest.New(awstest.WithClock(awstest.NewFakeClock(epoch)))
	defer srv.Close()
	seedTemplate(srv) // single-account
	srv.AddExperimentTemplate(awstest.ExperimentTemplate{ID: "EXTmulti", ExperimentOptions: map[string]string{"accountTargeting": "multi-account"},
		Actions: map[string]awstest.TemplateAction{"w": {ActionID: "aws:fis:wait", Parameters: map[string]string{"duration": "PT1M"}}}})
	var want []session.TargetAccount
	for i := 105; i >= 1; i-- { // more than one page (maxResults 100)
		id := fmt.Sprintf("2109876%05d", i)
		srv.AddTargetAccountConfiguration("EXTmulti", awstest.TargetAccountConfiguration{AccountID: id, RoleArn: "arn:aws:iam::" + id + ":role/fis-target", Description: "acct " + id})
	}
	for i := 1; i <= 105; i++ {
		id := fmt.Sprintf("2109876%05d", i)
		want = append(want, session.TargetAccount{AccountID: id, RoleArn: "arn:aws:iam::" + id + ":role/fis-target", Description: "acct " + id})
	}
	c := newClient(srv)

	single, err := experiment.GetTemplate(ctx, c, tmplID)
	if err != nil || single.MultiAccount() || single.TargetAccounts != nil {
		t.Fatalf("single-account: %v %+v", err, single.TargetAccounts)
	}
	if n := srv.CallCount("fis", "ListTargetAccountConfigurations"); n != 0 {
		t.Errorf("a single-account template listed target accounts %d times", n)
	}

	multi, err := experiment.GetTemplate(ctx, c, "EXTmulti")
	if err != nil {
		t.Fatal(err)
	}
	if !multi.MultiAccount() || !reflect.DeepEqual(multi.TargetAccounts, want) {
		t.Errorf("target accounts: multi=%t, %d accounts, first %+v", multi.MultiAccount(), len(multi.TargetAccounts), multi.TargetAccounts[:1])
	}
	if n := srv.CallCount("fis", "ListTargetAccountConfigurations"); n != 2 {
		t.Errorf("ListTargetAccountConfigurations calls = %d, want 2 pages", n)
	}

	srv.InjectFault(awstest.Fault{Service: "fis", Operation: "ListTargetAccountConfigurations", Status: 403, Code: "AccessDeniedException"})
	_, err = experiment.GetTemplate(ctx, c, "EXTmulti")
	var ae *awsapi.Error
	if !errors.As(err, &ae) || ae.Kind != awsapi.KindAccessDenied || ae.Permission != "fis:ListTargetAccountConfigurations" {
		t.Errorf("access denied: %v", err)
	}
}
