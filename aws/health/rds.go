package health

import (
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	docdbtypes "github.com/aws/aws-sdk-go-v2/service/docdb/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// addRDSCheckers registers aws:rds:db, aws:rds:cluster and DocumentDB clusters.
func addRDSCheckers(r Registry) {
	r["aws:rds:db"] = checkRDSInstances
	r["aws:rds:cluster"] = func(ctx context.Context, env Env, rs []Resource) []Result {
		return checkDBClusters(ctx, rs, rdsClusterAPI{env.Clients})
	}
	r["aws:docdb:cluster"] = func(ctx context.Context, env Env, rs []Resource) []Result {
		return checkDBClusters(ctx, rs, docdbClusterAPI{env.Clients})
	}
}

// dbCluster is the part of an RDS or DocumentDB cluster the checks read.
type dbCluster struct {
	ID, Status, Engine string
	Members            []dbMember
	// Raw is the SDK object (rds or docdb types.DBCluster), for target filters.
	Raw any
}

type dbMember struct {
	ID     string
	Writer bool
}

type dbInstance struct {
	ID, Status, AZ string
}

// dbClusterAPI reads clusters and their member instances through RDS or DocumentDB.
type dbClusterAPI interface {
	service() string
	// clusters describes the clusters with these identifiers (absent ones are not returned).
	clusters(ctx context.Context, ids []string) ([]dbCluster, error)
	// members describes the DB instances of these clusters.
	members(ctx context.Context, clusterIDs []string) ([]dbInstance, error)
}

type rdsClusterAPI struct{ c *awsapi.Clients }

func (rdsClusterAPI) service() string { return "rds" }

func (a rdsClusterAPI) clusters(ctx context.Context, ids []string) ([]dbCluster, error) {
	var out []dbCluster
	p := rds.NewDescribeDBClustersPaginator(a.c.RDS, &rds.DescribeDBClustersInput{
		Filters: []rdstypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: ids}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "rds DescribeDBClusters", idSummary(ids), "rds:DescribeDBClusters")
		}
		for _, c := range page.DBClusters {
			v := dbCluster{ID: awssdk.ToString(c.DBClusterIdentifier), Status: awssdk.ToString(c.Status), Engine: awssdk.ToString(c.Engine), Raw: c}
			for _, m := range c.DBClusterMembers {
				v.Members = append(v.Members, dbMember{ID: awssdk.ToString(m.DBInstanceIdentifier), Writer: awssdk.ToBool(m.IsClusterWriter)})
			}
			out = append(out, v)
		}
	}
	return out, nil
}

func (a rdsClusterAPI) members(ctx context.Context, clusterIDs []string) ([]dbInstance, error) {
	var out []dbInstance
	p := rds.NewDescribeDBInstancesPaginator(a.c.RDS, &rds.DescribeDBInstancesInput{
		Filters: []rdstypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: clusterIDs}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "rds DescribeDBInstances", idSummary(clusterIDs), "rds:DescribeDBInstances")
		}
		for _, in := range page.DBInstances {
			out = append(out, dbInstance{ID: awssdk.ToString(in.DBInstanceIdentifier), Status: awssdk.ToString(in.DBInstanceStatus), AZ: awssdk.ToString(in.AvailabilityZone)})
		}
	}
	return out, nil
}

type docdbClusterAPI struct{ c *awsapi.Clients }

func (docdbClusterAPI) service() string { return "docdb" }

func (a docdbClusterAPI) clusters(ctx context.Context, ids []string) ([]dbCluster, error) {
	var out []dbCluster
	p := docdb.NewDescribeDBClustersPaginator(a.c.DocDB, &docdb.DescribeDBClustersInput{
		Filters: []docdbtypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: ids}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "docdb DescribeDBClusters", idSummary(ids), "rds:DescribeDBClusters")
		}
		for _, c := range page.DBClusters {
			v := dbCluster{ID: awssdk.ToString(c.DBClusterIdentifier), Status: awssdk.ToString(c.Status), Engine: awssdk.ToString(c.Engine), Raw: c}
			for _, m := range c.DBClusterMembers {
				v.Members = append(v.Members, dbMember{ID: awssdk.ToString(m.DBInstanceIdentifier), Writer: awssdk.ToBool(m.IsClusterWriter)})
			}
			out = append(out, v)
		}
	}
	return out, nil
}

func (a docdbClusterAPI) members(ctx context.Context, clusterIDs []string) ([]dbInstance, error) {
	var out []dbInstance
	p := docdb.NewDescribeDBInstancesPaginator(a.c.DocDB, &docdb.DescribeDBInstancesInput{
		Filters: []docdbtypes.Filter{{Name: awssdk.String("db-cluster-id"), Values: clusterIDs}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awsapi.Wrap(err, "docdb DescribeDBInstances", idSummary(clusterIDs), "rds:DescribeDBInstances")
		}
		for _, in := range page.DBInstances {
			out = append(out, dbInstance{ID: awssdk.ToString(in.DBInstanceIdentifier), Status: awssdk.ToString(in.DBInstanceStatus), AZ: awssdk.ToString(in.AvailabilityZone)})
		}
	}
	return out, nil
}

// rdsInstanceStatuses classifies every DB instance status RDS documents (also used for
// Aurora and DocumentDB member instances):
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status
// https://docs.aws.amazon.com/documentdb/latest/developerguide/monitoring_docdb-instance_status.html
var rdsInstanceStatuses = statusTable{
	"available":                           ruleOK(),
	"backing-up":                          ruleNote("a backup is being taken; the instance keeps serving"),
	"configuring-enhanced-monitoring":     ruleNote("Enhanced Monitoring is being enabled or disabled; the instance keeps serving"),
	"configuring-iam-database-auth":       ruleNote("IAM database authentication is being enabled or disabled; the instance keeps serving"),
	"configuring-log-exports":             ruleNote("log exports to CloudWatch Logs are being changed; the instance keeps serving"),
	"storage-optimization":                ruleNote("storage is being optimised after a modification; the instance is fully operational"),
	"storage-initialization":              ruleNote("volume blocks are still loading from a snapshot restore; the instance is available but may be slower"),
	"converting-to-vpc":                   ruleInProgress("the conversion to a VPC"),
	"creating":                            ruleInProgress("creation"),
	"delete-precheck":                     ruleBlock("the instance is being checked before deletion"),
	"deleting":                            ruleBlock("the instance is being deleted"),
	"failed":                              ruleBlock("the instance has failed and RDS cannot recover it"),
	"inaccessible-encryption-credentials": ruleBlock("the KMS key cannot be accessed"),
	"inaccessible-encryption-credentials-recoverable": ruleBlock("the KMS key cannot be accessed (recoverable: restore access to the key)"),
	"incompatible-create":                             ruleBlock("RDS cannot create the instance with this configuration"),
	"incompatible-network":                            ruleBlock("the instance's network configuration is not usable"),
	"incompatible-option-group":                       ruleBlock("the option group is not compatible"),
	"incompatible-parameters":                         ruleBlock("the parameter group is not compatible; the instance cannot start"),
	"incompatible-restore":                            ruleBlock("a point-in-time restore is not possible"),
	"insufficient-capacity":                           ruleBlock("not enough capacity to create the instance"),
	"maintenance":                                     ruleInProgress("maintenance that RDS scheduled (it may restart the instance)"),
	"modifying":                                       ruleInProgress("a modification"),
	"moving-to-vpc":                                   ruleInProgress("a move to a VPC"),
	"rebooting":                                       ruleInProgress("a reboot"),
	"resetting-master-credentials":                    ruleInProgress("a reset of the master credentials"),
	"renaming":                                        ruleInProgress("a rename"),
	"restore-error":                                   ruleBlock("a restore failed"),
	"starting":                                        ruleInProgress("a start"),
	"stopped":                                         ruleBlock("the instance is stopped"),
	"stopping":                                        ruleBlock("the instance is stopping"),
	"storage-config-upgrade":                          ruleInProgress("a storage file system upgrade"),
	"storage-full":                                    ruleBlock("the instance has used all of its allocated storage"),
	"upgrading":                                       ruleInProgress("an engine upgrade"),
}

// auroraClusterStatuses classifies every Aurora DB cluster status:
// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/accessing-monitoring.html#Overview.DBCluster.Status
var auroraClusterStatuses = statusTable{
	"available":                           ruleOK(),
	"backing-up":                          ruleNote("a backup is being taken; the cluster keeps serving"),
	"storage-optimization":                ruleNote("storage is being optimised; the cluster is fully operational"),
	"update-iam-db-auth":                  ruleNote("IAM database authentication is being updated; the cluster keeps serving"),
	"backtracking":                        ruleInProgress("a backtrack"),
	"cloning-failed":                      ruleBlock("cloning the cluster failed"),
	"creating":                            ruleInProgress("creation"),
	"deleting":                            ruleBlock("the cluster is being deleted"),
	"failing-over":                        ruleInProgress("a failover"),
	"inaccessible-encryption-credentials": ruleBlock("the KMS key cannot be accessed"),
	"inaccessible-encryption-credentials-recoverable": ruleBlock("the KMS key cannot be accessed (recoverable: restore access to the key)"),
	"maintenance":                  ruleInProgress("maintenance that Aurora scheduled"),
	"migrating":                    ruleInProgress("a snapshot restore (migration)"),
	"migration-failed":             ruleBlock("a migration failed"),
	"modifying":                    ruleInProgress("a modification"),
	"promoting":                    ruleInProgress("a promotion"),
	"renaming":                     ruleInProgress("a rename"),
	"resetting-master-credentials": ruleInProgress("a reset of the master credentials"),
	"starting":                     ruleInProgress("a start"),
	"stopped":                      ruleBlock("the cluster is stopped"),
	"stopping":                     ruleBlock("the cluster is stopping"),
	"upgrading":                    ruleInProgress("an engine upgrade"),
}

// docdbClusterStatuses classifies every DocumentDB cluster status:
// https://docs.aws.amazon.com/documentdb/latest/developerguide/monitoring_docdb-cluster_status.html
var docdbClusterStatuses = statusTable{
	"available":                           ruleOK(),
	"backing-up":                          ruleNote("a backup is being taken; the cluster keeps serving"),
	"active":                              ruleBlock("an elastic cluster status: FIS aws:docdb:cluster targets instance-based clusters"),
	"creating":                            ruleInProgress("creation"),
	"deleting":                            ruleBlock("the cluster is being deleted"),
	"failing-over":                        ruleInProgress("a failover"),
	"inaccessible-encryption-credentials": ruleBlock("the KMS key cannot be accessed"),
	"maintenance":                         ruleInProgress("maintenance that DocumentDB scheduled"),
	"migrating":                           ruleInProgress("a snapshot restore (migration)"),
	"migration-failed":                    ruleBlock("a migration failed"),
	"modifying":                           ruleInProgress("a modification"),
	"renaming":                            ruleInProgress("a rename"),
	"resetting-master-credentials":        ruleInProgress("a reset of the master credentials"),
	"upgrading":                           ruleInProgress("an engine upgrade"),
}

// rdsFilterBatch is how many identifiers one RDS filter carries.
const rdsFilterBatch = 100

func checkDBClusters(ctx context.Context, rs []Resource, api dbClusterAPI) []Result {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = idOrARN(r)
	}
	clusters := map[string]dbCluster{}
	failed := map[string]error{}
	instances := map[string]dbInstance{}
	memberErr := map[string]error{}
	for _, b := range batchIDs(distinctIDs(ids), rdsFilterBatch) {
		cs, err := api.clusters(ctx, b)
		if err != nil {
			for _, id := range b {
				failed[id] = err
			}
			continue
		}
		var found []string
		for _, c := range cs {
			clusters[c.ID] = c
			found = append(found, c.ID)
		}
		if len(found) == 0 {
			continue
		}
		ins, err := api.members(ctx, found)
		if err != nil {
			for _, id := range found {
				memberErr[id] = err
			}
			continue
		}
		for _, in := range ins {
			instances[in.ID] = in
		}
	}
	kind := "DB cluster"
	if api.service() == "docdb" {
		kind = "DocumentDB cluster"
	}
	out := make([]Result, len(rs))
	for i, r := range rs {
		id := ids[i]
		if err, ok := failed[id]; ok {
			out[i] = Unchecked(r, err.Error())
			continue
		}
		c, ok := clusters[id]
		if !ok {
			out[i] = missingResult(r, kind+" "+id)
			continue
		}
		if err, ok := memberErr[id]; ok {
			out[i] = Unchecked(r, fmt.Sprintf("cluster %s is %s but its member instances could not be read: %v", id, c.Status, err))
			continue
		}
		out[i] = dbClusterHealth(r, c, instances, api.service())
	}
	return out
}

func dbClusterHealth(r Resource, c dbCluster, instances map[string]dbInstance, svc string) Result {
	var readers []string
	var v verdictOf
	writer := ""
	if c.Status == "" {
		return Unchecked(r, fmt.Sprintf("%s DescribeDBClusters returned cluster %s without a status", svc, c.ID))
	}
	table := auroraClusterStatuses
	if svc == "docdb" {
		table = docdbClusterStatuses
	}
	v.add("cluster status", c.Status, table.classify(c.Status))
	if svc == "docdb" && c.Engine != "" && c.Engine != "docdb" {
		v.problem("engine " + c.Engine + " is not DocumentDB")
	}
	if len(c.Members) == 0 {
		v.problem("no member instances")
	}
	for _, m := range c.Members {
		in, ok := instances[m.ID]
		desc := m.ID
		switch {
		case !ok:
			v.problem("member " + m.ID + " not described")
		default:
			desc = fmt.Sprintf("%s (%s)", m.ID, in.AZ)
			v.add("member "+m.ID+" is", in.Status, rdsInstanceStatuses.classify(in.Status))
		}
		if m.Writer {
			writer = desc
		} else {
			readers = append(readers, desc)
		}
	}
	if writer == "" && len(c.Members) > 0 {
		v.problem("no writer instance")
	}
	detail := fmt.Sprintf("%s cluster %s is %s", orElse(c.Engine, svc), c.ID, c.Status)
	if writer != "" {
		detail += "; writer " + writer
	}
	if len(readers) > 0 {
		detail += "; readers " + strings.Join(readers, ", ")
	}
	return v.result(r, c.Status, detail, c.Raw)
}

func checkRDSInstances(ctx context.Context, env Env, rs []Resource) []Result {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = idOrARN(r)
	}
	found := map[string]rdstypes.DBInstance{}
	failed := map[string]error{}
	for _, b := range batchIDs(distinctIDs(ids), rdsFilterBatch) {
		p := rds.NewDescribeDBInstancesPaginator(env.Clients.RDS, &rds.DescribeDBInstancesInput{
			Filters: []rdstypes.Filter{{Name: awssdk.String("db-instance-id"), Values: b}},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				for _, id := range b {
					failed[id] = awsapi.Wrap(err, "rds DescribeDBInstances", id, "rds:DescribeDBInstances")
				}
				break
			}
			for _, in := range page.DBInstances {
				found[awssdk.ToString(in.DBInstanceIdentifier)] = in
			}
		}
	}
	out := make([]Result, len(rs))
	for i, r := range rs {
		id := ids[i]
		if err, ok := failed[id]; ok {
			out[i] = Unchecked(r, err.Error())
			continue
		}
		in, ok := found[id]
		if !ok {
			out[i] = missingResult(r, "DB instance "+id)
			continue
		}
		status := awssdk.ToString(in.DBInstanceStatus)
		if status == "" {
			out[i] = Unchecked(r, "rds DescribeDBInstances returned "+id+" without a status")
			continue
		}
		detail := fmt.Sprintf("%s %s %s is %s in %s", awssdk.ToString(in.Engine), awssdk.ToString(in.DBInstanceClass), id, status, awssdk.ToString(in.AvailabilityZone))
		if awssdk.ToBool(in.MultiAZ) {
			detail += " (Multi-AZ"
			if s := awssdk.ToString(in.SecondaryAvailabilityZone); s != "" {
				detail += ", standby in " + s
			}
			detail += ")"
		}
		if c := awssdk.ToString(in.DBClusterIdentifier); c != "" {
			detail += ", member of cluster " + c
		}
		out[i] = classified(r, rdsInstanceStatuses, "instance status", status, detail, in)
	}
	return out
}
