package awstest

import (
	"fmt"
	"net/http"
	"strings"
)

// DynamoDBTable is a seeded DynamoDB table (a global table when it has replicas).
type DynamoDBTable struct {
	Name string
	Arn  string // default arn:aws:dynamodb:{region}:{account}:table/{name}
	// Status: ACTIVE (default), CREATING, UPDATING, DELETING, INACCESSIBLE_ENCRYPTION_CREDENTIALS, ARCHIVING, ARCHIVED,
	// REPLICATION_NOT_AUTHORIZED (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html).
	Status   string
	Replicas []DynamoDBReplica
	Tags     map[string]string
}

// DynamoDBReplica is one replica of a global table.
type DynamoDBReplica struct {
	Region string
	// Status: ACTIVE (default), CREATING, UPDATING, DELETING, CREATION_FAILED, REGION_DISABLED,
	// INACCESSIBLE_ENCRYPTION_CREDENTIALS, ARCHIVING, ARCHIVED, REPLICATION_NOT_AUTHORIZED.
	Status string
}

type dynamodbState struct {
	tables map[string]*DynamoDBTable
}

func dynamodbService() *service {
	return &service{protocol: protoJSON10, handle: handleDynamoDB}
}

// AddDynamoDBTable seeds (or replaces) a table.
func (s *Server) AddDynamoDBTable(t DynamoDBTable) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Arn == "" {
		t.Arn = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.Region, s.AccountID, t.Name)
	}
	if t.Status == "" {
		t.Status = "ACTIVE"
	}
	t.Replicas = append([]DynamoDBReplica(nil), t.Replicas...)
	for i := range t.Replicas {
		if t.Replicas[i].Status == "" {
			t.Replicas[i].Status = "ACTIVE"
		}
	}
	if s.dynamodb.tables == nil {
		s.dynamodb.tables = map[string]*DynamoDBTable{}
	}
	tt := t
	s.dynamodb.tables[t.Name] = &tt
	s.tagResource(t.Arn, t.Tags)
}

// SetDynamoDBReplicaStatus changes one replica's status (region "" changes the table's status).
func (s *Server) SetDynamoDBReplicaStatus(table, region, status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.dynamodb.tables[table]
	if t == nil {
		return
	}
	if region == "" {
		t.Status = status
		return
	}
	for i := range t.Replicas {
		if t.Replicas[i].Region == region {
			t.Replicas[i].Status = status
		}
	}
}

func handleDynamoDB(s *Server, c *call) {
	switch c.op {
	case "DescribeTable":
		var in struct{ TableName string }
		if err := c.DecodeJSON(&in); err != nil {
			c.Fail(http.StatusBadRequest, "SerializationException", err.Error())
			return
		}
		name := in.TableName
		if strings.HasPrefix(name, "arn:") {
			if i := strings.LastIndex(name, ":table/"); i >= 0 {
				name = name[i+len(":table/"):]
			}
		}
		t := s.dynamodb.tables[name]
		if t == nil {
			c.Fail(http.StatusBadRequest, "ResourceNotFoundException", fmt.Sprintf("Requested resource not found: Table: %s not found", in.TableName))
			return
		}
		desc := map[string]any{
			"TableName":   t.Name,
			"TableArn":    t.Arn,
			"TableStatus": t.Status,
			"TableId":     rjUUID("ddb/" + t.Name),
		}
		if len(t.Replicas) > 0 {
			reps := []map[string]any{}
			for _, r := range t.Replicas {
				reps = append(reps, map[string]any{"RegionName": r.Region, "ReplicaStatus": r.Status})
			}
			desc["Replicas"] = reps
			desc["GlobalTableVersion"] = "2019.11.21"
		}
		c.JSON(map[string]any{"Table": desc})
	default:
		notImplemented(s, c)
	}
}
