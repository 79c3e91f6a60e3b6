package health

import (
	"context"
	"strings"
	"testing"

	"github.com/fis-mcp/fis-mcp/aws/awstest"
	"github.com/fis-mcp/fis-mcp/session"
)

// wantNoted is one expected result, with its note ("" = no note).
type wantNoted struct {
	status  string
	healthy bool
	detail  string // substring
	note    string // substring; "" requires no note
}

func assertNoted(t *testing.T, g Result, w wantNoted) {
	t.Helper()
	if g.Status != w.status || g.Healthy != w.healthy || !strings.Contains(g.Detail, w.detail) {
		t.Fatalf("got status=%q healthy=%v detail=%q; want %q %v ~%q", g.Status, g.Healthy, g.Detail, w.status, w.healthy, w.detail)
	}
	if (w.note == "") != (g.Note == "") || !strings.Contains(g.Note, w.note) {
		t.Fatalf("note %q, want ~%q", g.Note, w.note)
	}
	if !g.Healthy && g.Note != "" {
		t.Fatalf("an unhealthy result carries a note: %+v", g.ResourceHealth)
	}
}

func TestNewTypeCheckersAreRegistered(t *testing.T) {
	reg := DefaultRegistry()
	for _, typ := range []string{TypeDSQLCluster, TypeKinesisStream, TypeVPCEndpoint, TypeDXVirtualInterface} {
		if reg[typ] == nil {
			t.Errorf("no checker for %s", typ)
		}
	}
}

func TestDSQLChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddDSQLCluster(awstest.DSQLCluster{Identifier: "aaaaaaaaaaaaaaaaaaaaaaaaaa"})
	srv.AddDSQLCluster(awstest.DSQLCluster{Identifier: "bbbbbbbbbbbbbbbbbbbbbbbbbb", Status: "IDLE"})
	srv.AddDSQLCluster(awstest.DSQLCluster{Identifier: "cccccccccccccccccccccccccc", Status: "UPDATING"})
	srv.AddDSQLCluster(awstest.DSQLCluster{Identifier: "dddddddddddddddddddddddddd", Status: "PENDING_SETUP", WitnessRegion: "us-west-2"})
	check := DefaultRegistry()[TypeDSQLCluster]
	tests := []struct {
		name string
		res  Resource
		want wantNoted
	}{
		{"active by id", Resource{ID: "aaaaaaaaaaaaaaaaaaaaaaaaaa"}, wantNoted{"ACTIVE", true, "is ACTIVE", ""}},
		{"active by ARN", Resource{ARN: "arn:aws:dsql:us-east-1:123456789012:cluster/aaaaaaaaaaaaaaaaaaaaaaaaaa"}, wantNoted{"ACTIVE", true, "is ACTIVE", ""}},
		{"ARN as ID", Resource{ID: "arn:aws:dsql:us-east-1:123456789012:cluster/aaaaaaaaaaaaaaaaaaaaaaaaaa"}, wantNoted{"ACTIVE", true, "is ACTIVE", ""}},
		{"idle is healthy with a note", Resource{ID: "bbbbbbbbbbbbbbbbbbbbbbbbbb"}, wantNoted{"IDLE", true, "is IDLE", "first connection"}},
		{"updating blocks", Resource{ID: "cccccccccccccccccccccccccc"}, wantNoted{"UPDATING", false, "a configuration change is in progress; wait for it to finish", ""}},
		{"pending setup blocks", Resource{ID: "dddddddddddddddddddddddddd"}, wantNoted{"PENDING_SETUP", false, "peer cluster", ""}},
		{"missing", Resource{ID: "zzzzzzzzzzzzzzzzzzzzzzzzzz"}, wantNoted{StatusNotFound, false, "Aurora DSQL cluster zzzzzzzzzzzzzzzzzzzzzzzzzz does not exist", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.res
			r.Type, r.Target = TypeDSQLCluster, "db"
			got := check(context.Background(), env, []Resource{r})
			assertNoted(t, got[0], tc.want)
			if tc.want.healthy && got[0].Attributes == nil {
				t.Fatal("no attributes for filters")
			}
		})
	}
	t.Run("access denied is unchecked", func(t *testing.T) {
		srv.InjectFault(awstest.Fault{Service: "dsql", Operation: "GetCluster", Status: 403, Code: "AccessDeniedException", Message: "denied", Times: 1})
		got := check(context.Background(), env, []Resource{{ID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Type: TypeDSQLCluster}})
		if got[0].Status != StatusUnchecked || !strings.Contains(got[0].Detail, "dsql:GetCluster") {
			t.Fatalf("got %+v", got[0].ResourceHealth)
		}
	})
}

func TestKinesisChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddKinesisStream(awstest.KinesisStream{Name: "orders"})
	srv.AddKinesisStream(awstest.KinesisStream{Name: "resharding", Status: "UPDATING"})
	srv.AddKinesisStream(awstest.KinesisStream{Name: "new", Status: "CREATING"})
	check := DefaultRegistry()[TypeKinesisStream]
	tests := []struct {
		name string
		res  Resource
		want wantNoted
	}{
		{"active by name", Resource{ID: "orders"}, wantNoted{"ACTIVE", true, "orders is ACTIVE (PROVISIONED, 2 open shard(s)", ""}},
		{"active by ARN", Resource{ID: "orders", ARN: "arn:aws:kinesis:us-east-1:123456789012:stream/orders"}, wantNoted{"ACTIVE", true, "is ACTIVE", ""}},
		{"stream/ prefix", Resource{ID: "stream/orders"}, wantNoted{"ACTIVE", true, "is ACTIVE", ""}},
		{"updating blocks with the reason", Resource{ID: "resharding"}, wantNoted{"UPDATING", false, "in progress; wait for it to finish", ""}},
		{"creating blocks", Resource{ID: "new"}, wantNoted{"CREATING", false, "stream creation is in progress", ""}},
		{"missing", Resource{ID: "gone"}, wantNoted{StatusNotFound, false, "Kinesis stream gone does not exist", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.res
			r.Type = TypeKinesisStream
			assertNoted(t, check(context.Background(), env, []Resource{r})[0], tc.want)
		})
	}
	// With an ARN the call names the stream by ARN (FIS resolves stream ARNs).
	calls := srv.Calls("kinesis", "DescribeStreamSummary")
	if !strings.Contains(string(calls[1].Body), `"StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/orders"`) {
		t.Fatalf("call by ARN sent %s", calls[1].Body)
	}
}

func TestVPCEndpointChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddVPCEndpoint(awstest.VPCEndpoint{ID: "vpce-0a1", SubnetIDs: []string{"subnet-1"}})
	srv.AddVPCEndpoint(awstest.VPCEndpoint{ID: "vpce-0b2", State: "pendingAcceptance"})
	srv.AddVPCEndpoint(awstest.VPCEndpoint{ID: "vpce-0c3", State: "failed", LastErrorCode: "Client.Error", LastErrorMessage: "no capacity"})
	check := DefaultRegistry()[TypeVPCEndpoint]
	rs := []Resource{
		{ID: "vpce-0a1"},
		{ID: "vpce-0b2"},
		{ID: "vpce-0c3"},
		{ID: "vpce-0dd"},
		{ID: "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0a1"},
	}
	for i := range rs {
		rs[i].Type = TypeVPCEndpoint
	}
	got := check(context.Background(), env, rs)
	want := []wantNoted{
		{"available", true, "Interface VPC endpoint vpce-0a1", ""},
		{"pendingAcceptance", false, "has not accepted the connection", ""},
		{"failed", false, "no capacity", ""},
		{StatusNotFound, false, "VPC endpoint vpce-0dd does not exist", ""},
		{"available", true, "vpce-0a1", ""},
	}
	for i, w := range want {
		assertNoted(t, got[i], w)
		if got[i].ID != rs[i].ID {
			t.Fatalf("result %d has ID %q, want %q", i, got[i].ID, rs[i].ID)
		}
	}
	// The missing ID is dropped and the batch retried: 2 calls, not one per endpoint.
	if n := srv.CallCount("ec2", "DescribeVpcEndpoints"); n != 2 {
		t.Fatalf("DescribeVpcEndpoints calls = %d, want 2", n)
	}
}

func TestDirectConnectChecker(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddDXVirtualInterface(awstest.DXVirtualInterface{ID: "dxvif-ffabc001", Name: "prod"})
	srv.AddDXVirtualInterface(awstest.DXVirtualInterface{ID: "dxvif-ffabc002", State: "down"})
	srv.AddDXVirtualInterface(awstest.DXVirtualInterface{ID: "dxvif-ffabc003", State: "testing"})
	check := DefaultRegistry()[TypeDXVirtualInterface]
	rs := []Resource{
		{ID: "dxvif-ffabc001"},
		{ID: "dxvif-ffabc002"},
		{ID: "dxvif-ffabc003"},
		{ID: "dxvif-ffabc009"},
		{ARN: srv.DXVirtualInterfaceARN("dxvif-ffabc001")},
		{ID: "dxvif/dxvif-ffabc001"},
	}
	for i := range rs {
		rs[i].Type = TypeDXVirtualInterface
	}
	got := check(context.Background(), env, rs)
	want := []wantNoted{
		{"available", true, "private virtual interface dxvif-ffabc001 (prod)", ""},
		{"down", false, "BGP is down", ""},
		{"testing", false, "BGP failover test", ""},
		{StatusNotFound, false, "virtual interface dxvif-ffabc009 does not exist", ""},
		{"available", true, "dxvif-ffabc001", ""},
		{"available", true, "dxvif-ffabc001", ""},
	}
	for i, w := range want {
		assertNoted(t, got[i], w)
	}
	if n := srv.CallCount("directconnect", "DescribeVirtualInterfaces"); n != 1 {
		t.Fatalf("DescribeVirtualInterfaces calls = %d, want 1 for %d interfaces", n, len(rs))
	}
	t.Run("failed call makes all unchecked", func(t *testing.T) {
		srv.InjectFault(awstest.Fault{Service: "directconnect", Operation: "DescribeVirtualInterfaces", Status: 400, Code: "AccessDeniedException", Message: "denied", Times: 1})
		got := check(context.Background(), env, rs[:2])
		for _, g := range got {
			if g.Status != StatusUnchecked || !strings.Contains(g.Detail, "directconnect:DescribeVirtualInterfaces") {
				t.Fatalf("got %+v", g.ResourceHealth)
			}
		}
	})
}

// TestBenignStatesOverHTTP: documented benign states are healthy with a note, changes in
// progress block with the reason, over the wire-level fake.
func TestBenignStatesOverHTTP(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddDBInstance(awstest.DBInstance{ID: "backup", Status: "backing-up"})
	srv.AddDBInstance(awstest.DBInstance{ID: "optimizing", Status: "storage-optimization"})
	srv.AddDBInstance(awstest.DBInstance{ID: "monitoring", Status: "configuring-enhanced-monitoring"})
	srv.AddDBInstance(awstest.DBInstance{ID: "modifying", Status: "modifying"})
	srv.AddDBCluster(auroraCluster("aurora", awstest.DBClusterMember{InstanceID: "aurora-1", Writer: true, Status: "configuring-log-exports"}))
	srv.SetDBClusterStatus("aurora", "backing-up")
	srv.AddReplicationGroup(redisGroup("snap", twoNodeShard("snap")))
	srv.SetReplicationGroupStatus("snap", "snapshotting", "snapshotting")
	srv.AddReplicationGroup(redisGroup("mod", twoNodeShard("mod")))
	srv.SetReplicationGroupStatus("mod", "modifying", "modifying")
	srv.AddEKSCluster(awstest.EKSCluster{Name: "upd", Status: "UPDATING"})
	srv.AddLambdaFunction(awstest.LambdaFunction{Name: "idle", State: "Inactive"})
	srv.AddLambdaFunction(awstest.LambdaFunction{Name: "deploying", LastUpdateStatus: "InProgress"})

	reg := DefaultRegistry()
	tests := []struct {
		name string
		typ  string
		id   string
		want wantNoted
	}{
		{"rds backing-up", "aws:rds:db", "backup", wantNoted{"backing-up", true, "is backing-up", "a backup is being taken"}},
		{"rds storage-optimization", "aws:rds:db", "optimizing", wantNoted{"storage-optimization", true, "", "fully operational"}},
		{"rds configuring-enhanced-monitoring", "aws:rds:db", "monitoring", wantNoted{"configuring-enhanced-monitoring", true, "", "Enhanced Monitoring"}},
		{"rds modifying blocks", "aws:rds:db", "modifying", wantNoted{"modifying", false, "a modification is in progress; wait for it to finish", ""}},
		{"aurora backing-up with member exporting logs", "aws:rds:cluster", "aurora", wantNoted{"backing-up", true, "writer aurora-1", "member aurora-1 is configuring-log-exports"}},
		{"elasticache snapshotting", "aws:elasticache:replicationgroup", "snap", wantNoted{"snapshotting", true, "primary snap-001", "a snapshot is being taken"}},
		{"elasticache modifying blocks", "aws:elasticache:replicationgroup", "mod", wantNoted{"modifying", false, "a modification is in progress; wait for it to finish", ""}},
		{"eks updating blocks", "aws:eks:cluster", "upd", wantNoted{"UPDATING", false, "an update is in progress; wait for it to finish", ""}},
		{"lambda inactive", "aws:lambda:function", "idle", wantNoted{"Inactive", true, "state Inactive", "first invocations fail"}},
		{"lambda update in progress blocks", "aws:lambda:function", "deploying", wantNoted{"Active", false, "last update InProgress", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := reg[tc.typ](context.Background(), env, []Resource{{ID: tc.id, Type: tc.typ, Target: "T"}})
			assertNoted(t, got[0], tc.want)
		})
	}
	t.Run("verdict healthy with notes", func(t *testing.T) {
		var rs []session.ResourceHealth
		for _, id := range []string{"backup", "optimizing"} {
			rs = append(rs, reg["aws:rds:db"](context.Background(), env, []Resource{{ID: id, Type: "aws:rds:db", Target: "dbs"}})[0].ResourceHealth)
		}
		if v := Verdict(rs, nil, nil); v != session.VerdictHealthy {
			t.Fatalf("verdict %s", v)
		}
		notes := ResourceNotes(rs)
		if len(notes) != 2 || !strings.HasPrefix(notes[0], "dbs/backup (aws:rds:db): instance status backing-up") {
			t.Fatalf("notes %q", notes)
		}
	})
}

func TestInsufficientDataAlarmWarnsAndDoesNotBlock(t *testing.T) {
	srv, _, env := infraTestEnv(t)
	srv.AddAlarm(awstest.Alarm{Name: "p99", State: "INSUFFICIENT_DATA", Reason: "Insufficient Data"})
	srv.AddAlarm(awstest.Alarm{Name: "errors", State: "OK"})
	conds := []session.StopCondition{{Source: StopSourceAlarm, Value: "p99"}, {Source: StopSourceAlarm, Value: "errors"}}
	alarms := CheckAlarms(context.Background(), env.Clients, conds)
	if v := Verdict(nil, alarms, nil); v != session.VerdictHealthy {
		t.Fatalf("verdict %s with alarms %+v", v, alarms)
	}
	hr := session.HealthResult{Alarms: alarms, Warnings: []string{"existing"}}
	AddAlarmWarnings(&hr)
	AddAlarmWarnings(&hr) // idempotent
	want := "alarm p99 is INSUFFICIENT_DATA: FIS stops the experiment only on ALARM, so this stop condition may never fire"
	if len(hr.Warnings) != 2 || hr.Warnings[0] != "existing" || hr.Warnings[1] != want {
		t.Fatalf("warnings %q", hr.Warnings)
	}
	srv.SetAlarmState("p99", "ALARM", "threshold crossed")
	alarms = CheckAlarms(context.Background(), env.Clients, conds)
	if v := Verdict(nil, alarms, nil); v != session.VerdictBlocked || alarms[0].Note != "" {
		t.Fatalf("ALARM must still block: %s %+v", v, alarms[0])
	}
}
