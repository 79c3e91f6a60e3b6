package awsapi

import (
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/arczonalshift"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	"github.com/aws/aws-sdk-go-v2/service/docdb"
	"github.com/aws/aws-sdk-go-v2/service/dsql"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/fis"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kafka"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/memorydb"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Clients are the SDK clients of one region. Build them with NewClients; they are
// safe for concurrent use.
type Clients struct {
	Region string
	// Config is the region's SDK configuration (for presigning and extra clients).
	Config awssdk.Config

	CloudFormation *cloudformation.Client
	FIS            *fis.Client
	IAM            *iam.Client
	STS            *sts.Client
	EC2            *ec2.Client
	AutoScaling    *autoscaling.Client
	RDS            *rds.Client
	DocDB          *docdb.Client
	ElastiCache    *elasticache.Client
	MemoryDB       *memorydb.Client
	EKS            *eks.Client
	Kafka          *kafka.Client
	OpenSearch     *opensearch.Client
	Lambda         *lambda.Client
	ECS            *ecs.Client
	DynamoDB       *dynamodb.Client
	S3             *s3.Client
	Tagging        *resourcegroupstaggingapi.Client
	CloudWatch     *cloudwatch.Client
	Logs           *cloudwatchlogs.Client
	ARCZonalShift  *arczonalshift.Client
	DSQL           *dsql.Client
	Kinesis        *kinesis.Client
	DirectConnect  *directconnect.Client
}

// NewClients builds every client for cfg's region.
func NewClients(cfg awssdk.Config) *Clients {
	return &Clients{
		Region:         cfg.Region,
		Config:         cfg,
		CloudFormation: cloudformation.NewFromConfig(cfg),
		FIS:            fis.NewFromConfig(cfg),
		IAM:            iam.NewFromConfig(cfg),
		STS:            sts.NewFromConfig(cfg),
		EC2:            ec2.NewFromConfig(cfg),
		AutoScaling:    autoscaling.NewFromConfig(cfg),
		RDS:            rds.NewFromConfig(cfg),
		DocDB:          docdb.NewFromConfig(cfg),
		ElastiCache:    elasticache.NewFromConfig(cfg),
		MemoryDB:       memorydb.NewFromConfig(cfg),
		EKS:            eks.NewFromConfig(cfg),
		Kafka:          kafka.NewFromConfig(cfg),
		OpenSearch:     opensearch.NewFromConfig(cfg),
		Lambda:         lambda.NewFromConfig(cfg),
		ECS:            ecs.NewFromConfig(cfg),
		DynamoDB:       dynamodb.NewFromConfig(cfg),
		S3:             s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		Tagging:        resourcegroupstaggingapi.NewFromConfig(cfg),
		CloudWatch:     cloudwatch.NewFromConfig(cfg),
		Logs:           cloudwatchlogs.NewFromConfig(cfg),
		ARCZonalShift:  arczonalshift.NewFromConfig(cfg),
		DSQL:           dsql.NewFromConfig(cfg),
		Kinesis:        kinesis.NewFromConfig(cfg),
		DirectConnect:  directconnect.NewFromConfig(cfg),
	}
}
