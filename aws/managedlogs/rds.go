package managedlogs

import (
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

func addRDSDetectors(m map[string]DetectFunc) {
	m["aws:rds:cluster"] = detectRDSCluster
	m["aws:rds:db"] = detectRDSInstance
	m["aws:docdb:cluster"] = detectDocDBCluster
}

func rdsIdentifier(r health.Resource) string {
	if r.ID != "" {
		return r.ID
	}
	id, _ := health.IDFromARN(r.Type, r.ARN)
	return id
}

// rdsErrorLogTypes are the log exports that carry an engine's errors (failovers, restarts,
// connection failures): what a chaos experiment needs.
func rdsErrorLogTypes(engine string) []string {
	switch {
	case engine == "docdb":
		return []string{"audit", "profiler"}
	case strings.Contains(engine, "postgres"):
		return []string{"postgresql"}
	case strings.Contains(engine, "mysql"), engine == "mariadb":
		return []string{"error", "slowquery"}
	case strings.HasPrefix(engine, "oracle"):
		return []string{"alert", "listener"}
	case strings.HasPrefix(engine, "sqlserver"):
		return []string{"error", "agent"}
	case strings.HasPrefix(engine, "db2"):
		return []string{"diag.log", "notify.log"}
	}
	return nil
}

// rdsLogGroup applies one managed log result: groups for the enabled exports, and a
// recommendation naming the missing error-log exports with the command that enables them.
func rdsLogGroup(service, id, engine, prefix string, exports []string, command string) session.ManagedLogGroup {
	g := session.ManagedLogGroup{Service: service, Identifier: id}
	enabled := map[string]bool{}
	for _, t := range exports {
		enabled[t] = true
		g.LogGroups = append(g.LogGroups, prefix+t)
	}
	g.Enabled = len(g.LogGroups) > 0
	var missing []string
	for _, t := range rdsErrorLogTypes(engine) {
		if !enabled[t] {
			missing = append(missing, t)
		}
	}
	if len(missing) == 0 {
		if !g.Enabled {
			g.Recommendation = fmt.Sprintf("enable CloudWatch Logs exports for %s %s (none are enabled)", service, id)
		}
		return g
	}
	quoted := make([]string, len(missing))
	for i, t := range missing {
		quoted[i] = `"` + t + `"`
	}
	what := "enable the " + strings.Join(missing, "/") + " log export"
	if g.Enabled {
		what = "also " + what
	}
	g.Recommendation = fmt.Sprintf(`%s: %s --cloudwatch-logs-export-configuration '{"EnableLogTypes":[%s]}'`, what, command, strings.Join(quoted, ","))
	if engine == "docdb" {
		g.Recommendation += " (audit also needs the audit_logs cluster parameter, profiler the profiler parameter)"
	}
	return g
}

func detectRDSCluster(ctx context.Context, c *awsapi.Clients, r health.Resource) (session.ManagedLogGroup, error) {
	id := rdsIdentifier(r)
	out, err := c.RDS.DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
	if err != nil {
		return session.ManagedLogGroup{Service: "rds", Identifier: id}, awsapi.Wrap(err, "rds DescribeDBClusters", id, "rds:DescribeDBClusters")
	}
	if len(out.DBClusters) == 0 {
		return session.ManagedLogGroup{Service: "rds", Identifier: id}, fmt.Errorf("rds DescribeDBClusters %s: no cluster in the reply", id)
	}
	cl := out.DBClusters[0]
	engine := awssdk.ToString(cl.Engine)
	if engine == "docdb" {
		return rdsLogGroup("docdb", id, engine, "/aws/docdb/"+id+"/", cl.EnabledCloudwatchLogsExports,
			fmt.Sprintf("aws docdb modify-db-cluster --db-cluster-identifier %s --region %s", id, c.Region)), nil
	}
	return rdsLogGroup("rds", id, engine, "/aws/rds/cluster/"+id+"/", cl.EnabledCloudwatchLogsExports,
		fmt.Sprintf("aws rds modify-db-cluster --db-cluster-identifier %s --region %s", id, c.Region)), nil
}

func detectRDSInstance(ctx context.Context, c *awsapi.Clients, r health.Resource) (session.ManagedLogGroup, error) {
	id := rdsIdentifier(r)
	out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(id)})
	if err != nil {
		return session.ManagedLogGroup{Service: "rds", Identifier: id}, awsapi.Wrap(err, "rds DescribeDBInstances", id, "rds:DescribeDBInstances")
	}
	if len(out.DBInstances) == 0 {
		return session.ManagedLogGroup{Service: "rds", Identifier: id}, fmt.Errorf("rds DescribeDBInstances %s: no instance in the reply", id)
	}
	in := out.DBInstances[0]
	if cl := awssdk.ToString(in.DBClusterIdentifier); cl != "" {
		// Aurora members export through their cluster; the groups are the cluster's.
		g := rdsLogGroup("rds", id, awssdk.ToString(in.Engine), "/aws/rds/cluster/"+cl+"/", in.EnabledCloudwatchLogsExports,
			fmt.Sprintf("aws rds modify-db-cluster --db-cluster-identifier %s --region %s", cl, c.Region))
		return g, nil
	}
	return rdsLogGroup("rds", id, awssdk.ToString(in.Engine), "/aws/rds/instance/"+id+"/", in.EnabledCloudwatchLogsExports,
		fmt.Sprintf("aws rds modify-db-instance --db-instance-identifier %s --apply-immediately --region %s", id, c.Region)), nil
}

func detectDocDBCluster(ctx context.Context, c *awsapi.Clients, r health.Resource) (session.ManagedLogGroup, error) {
	id := rdsIdentifier(r)
	out, err := c.DocDB.DescribeDBClusters(ctx, &docdb.DescribeDBClustersInput{DBClusterIdentifier: awssdk.String(id)})
	if err != nil {
		return session.ManagedLogGroup{Service: "docdb", Identifier: id}, awsapi.Wrap(err, "docdb DescribeDBClusters", id, "rds:DescribeDBClusters")
	}
	if len(out.DBClusters) == 0 {
		return session.ManagedLogGroup{Service: "docdb", Identifier: id}, fmt.Errorf("docdb DescribeDBClusters %s: no cluster in the reply", id)
	}
	return rdsLogGroup("docdb", id, "docdb", "/aws/docdb/"+id+"/", out.DBClusters[0].EnabledCloudwatchLogsExports,
		fmt.Sprintf("aws docdb modify-db-cluster --db-cluster-identifier %s --region %s", id, c.Region)), nil
}
