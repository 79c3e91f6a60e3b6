package health

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update", false, "rewrite the README's Supported FIS target types section")

// documentedTypes are the resource types the FIS User Guide's targets page lists under
// "Resource types" (https://docs.aws.amazon.com/fis/latest/userguide/targets.html#resource-types).
var documentedTypes = []string{
	"aws:arc:zonal-shift-managed-resource",
	"aws:directconnect:virtual-interface",
	"aws:dsql:cluster",
	"aws:dynamodb:global-table",
	"aws:ec2:autoscaling-group",
	"aws:ec2:ebs-volume",
	"aws:ec2:instance",
	"aws:ec2:spot-instance",
	"aws:ec2:subnet",
	"aws:ec2:transit-gateway",
	"aws:ec2:vpc-endpoint",
	"aws:ecs:cluster",
	"aws:ecs:task",
	"aws:eks:cluster",
	"aws:eks:nodegroup",
	"aws:eks:pod",
	"aws:elasticache:replicationgroup",
	"aws:iam:role",
	"aws:kinesis:stream",
	"aws:lambda:function",
	"aws:memorydb:multi-region-cluster",
	"aws:rds:cluster",
	"aws:rds:db",
	"aws:s3:bucket",
}

// documentedParams are the page's "Resource parameters" section, type by type.
var documentedParams = map[string][]string{
	"aws:ec2:ebs-volume":               {"availabilityZoneIdentifier"},
	"aws:ec2:subnet":                   {"availabilityZoneIdentifier", "vpc"},
	"aws:ecs:task":                     {"cluster", "service"},
	"aws:eks:pod":                      {"availabilityZoneIdentifier", "clusterIdentifier", "namespace", "selectorType", "selectorValue", "targetContainerName"},
	"aws:lambda:function":              {"functionQualifier"},
	"aws:rds:cluster":                  {"writerAvailabilityZoneIdentifiers"},
	"aws:rds:db":                       {"availabilityZoneIdentifiers"},
	"aws:elasticache:replicationgroup": {"availabilityZoneIdentifier"},
}

func TestTypeTableCoversTheFISTargetsPage(t *testing.T) {
	seen := map[string]bool{}
	for _, want := range documentedTypes {
		seen[want] = true
		ti, ok := LookupType(want)
		if !ok {
			t.Errorf("%s is on the FIS targets page but has no row in the type table", want)
			continue
		}
		if !ti.Documented || ti.Description == "" {
			t.Errorf("%s: row not marked documented or without description: %+v", want, ti)
		}
		if strings.Join(ti.Parameters, ",") != strings.Join(documentedParams[want], ",") {
			t.Errorf("%s: parameters %v, the page documents %v", want, ti.Parameters, documentedParams[want])
		}
		if want != TypeEKSPod && ti.FilterAPI == "" {
			t.Errorf("%s: no filter API", want)
		}
		if ti.Tags == TagsByTaggingAPI && ti.TaggingFilter == "" {
			t.Errorf("%s: resolved through the Tagging API without a resource type filter", want)
		}
	}
	for _, ti := range Types() {
		if ti.Documented && !seen[ti.Type] {
			t.Errorf("%s is marked documented but is not on the FIS targets page list", ti.Type)
		}
	}
	// Tags resolve the way each service supports: the Tagging API returns no Auto Scaling groups
	// and no IAM roles (https://docs.aws.amazon.com/resourcegroupstagging/latest/APIReference/supported-services.html).
	for typ, want := range map[string]TagMethod{
		"aws:ec2:autoscaling-group": TagsByAutoScaling, "aws:iam:role": TagsByIAM, TypeARCManaged: TagsByARC,
		TypeEKSPod: TagsUnsupported, "aws:directconnect:virtual-interface": TagsByTaggingAPI,
	} {
		if ti, _ := LookupType(typ); ti.Tags != want {
			t.Errorf("%s resolves tags by %s, want %s", typ, ti.Tags, want)
		}
	}
}

const (
	readmeBegin = "<!-- BEGIN fis-target-types: generated from aws/health/types.go by `go test ./aws/health -run TestREADMETable -update` -->\n"
	readmeEnd   = "<!-- END fis-target-types -->"
)

// TestREADMETable compares the README's "Supported FIS target types" table with the one
// generated from the type table; -update rewrites it.
func TestREADMETable(t *testing.T) {
	path := filepath.Join("..", "..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, readmeBegin), strings.Index(doc, readmeEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the generated section markers %q … %q", readmeBegin, readmeEnd)
	}
	want := SupportedTypesMarkdown(DefaultRegistry())
	got := doc[i+len(readmeBegin) : j]
	if got == want {
		return
	}
	if *updateREADME {
		if err := os.WriteFile(path, []byte(doc[:i+len(readmeBegin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's Supported FIS target types table is out of date: run go test ./aws/health -run TestREADMETable -update and review the diff.\nwant:\n%s\ngot:\n%s", want, got)
}
