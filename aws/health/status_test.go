package health

import (
	"strings"
	"testing"
)

// TestStatusTablesClassifyEveryDocumentedValue lists, per status field a checker reads, the
// values the service documents (page in the comment) and the class each must get. A value
// missing from a table, or classified differently, fails.
func TestStatusTablesClassifyEveryDocumentedValue(t *testing.T) {
	const (
		H = classHealthy
		N = classNote
		U = classUnhealthy
	)
	tables := []struct {
		name  string
		table statusTable
		want  map[string]statusClass
	}{
		// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status
		{"rds instance", rdsInstanceStatuses, map[string]statusClass{
			"available": H, "backing-up": N, "configuring-enhanced-monitoring": N, "configuring-iam-database-auth": N,
			"configuring-log-exports": N, "converting-to-vpc": U, "creating": U, "delete-precheck": U, "deleting": U,
			"failed": U, "inaccessible-encryption-credentials": U, "inaccessible-encryption-credentials-recoverable": U,
			"incompatible-create": U, "incompatible-network": U, "incompatible-option-group": U, "incompatible-parameters": U,
			"incompatible-restore": U, "insufficient-capacity": U, "maintenance": U, "modifying": U, "moving-to-vpc": U,
			"rebooting": U, "resetting-master-credentials": U, "renaming": U, "restore-error": U, "starting": U,
			"stopped": U, "stopping": U, "storage-config-upgrade": U, "storage-full": U, "storage-initialization": N,
			"storage-optimization": N, "upgrading": U,
		}},
		// https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/accessing-monitoring.html#Overview.DBCluster.Status
		{"aurora cluster", auroraClusterStatuses, map[string]statusClass{
			"available": H, "backing-up": N, "backtracking": U, "cloning-failed": U, "creating": U, "deleting": U,
			"failing-over": U, "inaccessible-encryption-credentials": U, "inaccessible-encryption-credentials-recoverable": U,
			"maintenance": U, "migrating": U, "migration-failed": U, "modifying": U, "promoting": U, "renaming": U,
			"resetting-master-credentials": U, "starting": U, "stopped": U, "stopping": U, "storage-optimization": N,
			"update-iam-db-auth": N, "upgrading": U,
		}},
		// https://docs.aws.amazon.com/documentdb/latest/developerguide/monitoring_docdb-cluster_status.html
		{"docdb cluster", docdbClusterStatuses, map[string]statusClass{
			"active": U, "available": H, "backing-up": N, "creating": U, "deleting": U, "failing-over": U,
			"inaccessible-encryption-credentials": U, "maintenance": U, "migrating": U, "migration-failed": U,
			"modifying": U, "renaming": U, "resetting-master-credentials": U, "upgrading": U,
		}},
		// https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_ReplicationGroup.html
		// https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Nodes.viewing.html
		{"elasticache", elasticacheGroupStatuses, map[string]statusClass{
			"available": H, "snapshotting": N, "creating": U, "modifying": U, "deleting": U, "create-failed": U,
			"updating": U, "rebooting cluster nodes": U, "incompatible_parameters": U, "incompatible_network": U, "restore_failed": U,
		}},
		// https://docs.aws.amazon.com/memorydb/latest/APIReference/API_Cluster.html
		{"memorydb", memorydbStatuses, map[string]statusClass{"available": H, "snapshotting": N, "updating": U, "creating": U, "deleting": U}},
		// https://docs.aws.amazon.com/eks/latest/APIReference/API_Cluster.html
		{"eks cluster", eksClusterStatuses, map[string]statusClass{
			"ACTIVE": H, "CREATING": U, "DELETING": U, "FAILED": U, "UPDATING": U, "PENDING": U,
		}},
		// https://docs.aws.amazon.com/eks/latest/APIReference/API_Nodegroup.html
		{"eks nodegroup", eksNodegroupStatuses, map[string]statusClass{
			"ACTIVE": H, "CREATING": U, "UPDATING": U, "DELETING": U, "CREATE_FAILED": U, "DELETE_FAILED": U, "DEGRADED": U,
		}},
		// https://docs.aws.amazon.com/msk/1.0/apireference/clusters-clusterarn.html#clusters-clusterarn-model-clusterstate
		{"msk", mskClusterStates, map[string]statusClass{
			"ACTIVE": H, "CREATING": U, "DELETING": U, "FAILED": U, "HEALING": U, "MAINTENANCE": U, "REBOOTING_BROKER": U, "UPDATING": U,
		}},
		// https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DomainStatus.html
		{"opensearch processing", openSearchProcessingStatuses, map[string]statusClass{
			"Active": H, "Creating": U, "Modifying": U, "UpgradingEngineVersion": U, "UpdatingServiceSoftware": U, "Isolated": U, "Deleting": U,
		}},
		// https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_DescribeDomainHealth.html
		{"opensearch health", openSearchClusterHealth, map[string]statusClass{"Green": H, "Yellow": U, "Red": U, "NotAvailable": N}},
		// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Cluster.html
		{"ecs cluster", ecsClusterStatuses, map[string]statusClass{
			"ACTIVE": H, "PROVISIONING": U, "DEPROVISIONING": U, "FAILED": U, "INACTIVE": U,
		}},
		// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html
		{"ecs task", ecsTaskStatuses, map[string]statusClass{
			"PROVISIONING": U, "PENDING": U, "ACTIVATING": U, "RUNNING": H, "DEACTIVATING": U, "STOPPING": U,
			"DEPROVISIONING": U, "STOPPED": U, "DELETED": U,
		}},
		// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html
		{"ecs task health", ecsTaskHealth, map[string]statusClass{"HEALTHY": H, "UNHEALTHY": U, "UNKNOWN": H}},
		// https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
		{"lambda state", lambdaStates, map[string]statusClass{
			"Pending": U, "Active": H, "Inactive": N, "Failed": U, "Deactivating": U, "Deactivated": U, "ActiveNonInvocable": U, "Deleting": U,
		}},
		{"lambda update", lambdaUpdateStatuses, map[string]statusClass{"Successful": H, "Failed": U, "InProgress": U}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
		{"dynamodb table", dynamodbTableStatuses, map[string]statusClass{
			"CREATING": U, "UPDATING": U, "DELETING": U, "ACTIVE": H, "INACCESSIBLE_ENCRYPTION_CREDENTIALS": U,
			"ARCHIVING": U, "ARCHIVED": U, "REPLICATION_NOT_AUTHORIZED": U,
		}},
		// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ReplicaDescription.html
		{"dynamodb replica", dynamodbReplicaStatuses, map[string]statusClass{
			"CREATING": U, "CREATION_FAILED": U, "UPDATING": U, "DELETING": U, "ACTIVE": H, "REGION_DISABLED": U,
			"INACCESSIBLE_ENCRYPTION_CREDENTIALS": U, "ARCHIVING": U, "ARCHIVED": U, "REPLICATION_NOT_AUTHORIZED": U,
		}},
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceState.html
		{"ec2 instance", ec2InstanceStates, map[string]statusClass{
			"pending": U, "running": H, "shutting-down": U, "terminated": U, "stopping": U, "stopped": U,
		}},
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_InstanceStatusSummary.html
		{"ec2 status checks", ec2StatusChecks, map[string]statusClass{
			"ok": H, "impaired": U, "insufficient-data": U, "not-applicable": N, "initializing": U,
		}},
		// https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AutoScalingGroup.html
		{"asg group", asgGroupStatuses, map[string]statusClass{"Delete in progress": U}},
		// https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-lifecycle.html
		{"asg instance", asgInstanceStates, map[string]statusClass{
			"InService": H, "Pending": U, "Pending:Wait": U, "Pending:Proceed": U, "Standby": U, "Terminating": U,
			"Terminating:Wait": U, "Terminating:Proceed": U, "Terminated": U, "Detaching": U, "Detached": U, "EnteringStandby": U,
		}},
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html
		{"subnet", ec2SubnetStates, map[string]statusClass{
			"pending": U, "available": H, "unavailable": U, "failed": U, "failed-insufficient-capacity": U,
		}},
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TransitGateway.html
		{"transit gateway", ec2TransitGatewayStates, map[string]statusClass{
			"pending": U, "available": H, "modifying": U, "deleting": U, "deleted": U,
		}},
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Volume.html
		{"volume", ec2VolumeStates, map[string]statusClass{
			"creating": U, "available": H, "in-use": H, "deleting": U, "deleted": U, "error": U,
		}},
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html (wire: lower camel case)
		{"vpc endpoint", vpcEndpointStates, map[string]statusClass{
			vpceState("PendingAcceptance"): U, vpceState("Pending"): U, vpceState("Available"): H, vpceState("Deleting"): U,
			vpceState("Deleted"): U, vpceState("Rejected"): U, vpceState("Failed"): U, vpceState("Expired"): U, vpceState("Partial"): U,
		}},
		// https://docs.aws.amazon.com/directconnect/latest/APIReference/API_VirtualInterface.html
		{"dx virtual interface", dxVirtualInterfaceStates, map[string]statusClass{
			"confirming": U, "verifying": U, "pending": U, "available": H, "down": U, "testing": U, "deleting": U,
			"deleted": U, "rejected": U, "unknown": U,
		}},
		// https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StreamDescriptionSummary.html
		{"kinesis stream", kinesisStreamStatuses, map[string]statusClass{"CREATING": U, "DELETING": U, "ACTIVE": H, "UPDATING": U}},
		// https://docs.aws.amazon.com/aurora-dsql/latest/userguide/cluster-lifecycle.html
		{"dsql cluster", dsqlClusterStatuses, map[string]statusClass{
			"CREATING": U, "ACTIVE": H, "IDLE": N, "INACTIVE": N, "UPDATING": U, "DELETING": U, "DELETED": U,
			"FAILED": U, "PENDING_SETUP": U, "PENDING_DELETE": U,
		}},
		// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html,
		// https://docs.aws.amazon.com/fis/latest/userguide/stop-conditions.html
		{"alarm", alarmStates, map[string]statusClass{"OK": H, "ALARM": U, "INSUFFICIENT_DATA": N}},
	}
	for _, tc := range tables {
		t.Run(tc.name, func(t *testing.T) {
			for v, want := range tc.want {
				r, documented := tc.table[v]
				if !documented {
					t.Errorf("documented value %q has no row", v)
					continue
				}
				if r.Class != want {
					t.Errorf("%q is %s, want %s", v, r.Class, want)
				}
				if r.Class != classHealthy && r.Reason == "" {
					t.Errorf("%q is %s without a reason", v, r.Class)
				}
			}
			if got := tc.table.classify("SOMETHING-NEW"); got.Class != classUnhealthy || !strings.Contains(got.Reason, `unknown status "SOMETHING-NEW"`) {
				t.Errorf("undocumented value: %+v", got)
			}
		})
	}
}

func TestInProgressSaysWait(t *testing.T) {
	for _, r := range []statusRule{eksClusterStatuses["UPDATING"], kinesisStreamStatuses["UPDATING"], elasticacheGroupStatuses["modifying"], rdsInstanceStatuses["modifying"]} {
		if r.Class != classUnhealthy || !strings.Contains(r.Reason, "in progress; wait for it to finish") {
			t.Errorf("rule %+v does not say to wait", r)
		}
	}
	if got := eksClusterStatuses["UPDATING"].Reason; got != "an update is in progress; wait for it to finish" {
		t.Errorf("EKS UPDATING reason %q", got)
	}
}
