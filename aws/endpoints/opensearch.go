package endpoints

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/opensearch"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
	"github.com/fis-mcp/fis-mcp/aws/health"
	"github.com/fis-mcp/fis-mcp/session"
)

// KindDomainEndpoint is an OpenSearch domain endpoint (public, VPC, dual-stack or custom).
const KindDomainEndpoint = "domain-endpoint"

func addOpenSearchLookups(m map[string]LookupFunc) {
	m["aws:opensearch:domain"] = lookupOpenSearch
	m["aws:es:domain"] = lookupOpenSearch
}

// lookupOpenSearch returns the domain's endpoints: Endpoint, every Endpoints entry (vpc),
// EndpointV2 and an enabled custom endpoint.
func lookupOpenSearch(ctx context.Context, c *awsapi.Clients, r health.Resource) ([]session.ResourceEndpoint, error) {
	name := health.OpenSearchDomainName(r)
	out, err := c.OpenSearch.DescribeDomain(ctx, &opensearch.DescribeDomainInput{DomainName: aws.String(name)})
	if err != nil {
		return nil, awsapi.Wrap(err, "opensearch DescribeDomain", name, "es:DescribeDomain")
	}
	d := out.DomainStatus
	if d == nil {
		return nil, nil
	}
	vals := []string{aws.ToString(d.Endpoint)}
	keys := make([]string, 0, len(d.Endpoints))
	for k := range d.Endpoints {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals = append(vals, d.Endpoints[k])
	}
	vals = append(vals, aws.ToString(d.EndpointV2))
	if o := d.DomainEndpointOptions; o != nil && aws.ToBool(o.CustomEndpointEnabled) {
		vals = append(vals, aws.ToString(o.CustomEndpoint))
	}
	seen := map[string]bool{}
	var eps []session.ResourceEndpoint
	for _, v := range vals {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		eps = append(eps, session.ResourceEndpoint{Service: "opensearch", Identifier: r.ID, Kind: KindDomainEndpoint, Value: v})
	}
	return eps, nil
}
