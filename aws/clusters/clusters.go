// Package clusters lists the EKS clusters of a region with what is needed to reach them
// (endpoint, CA) and their control plane logging.
package clusters

import (
	"context"
	"encoding/base64"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/fis-mcp/fis-mcp/aws/awsapi"
)

// Cluster is one EKS cluster. Error is set (and the other fields may be partial) when it
// could not be described.
type Cluster struct {
	Name     string
	Arn      string
	Endpoint string
	// CAData is the decoded PEM of the cluster certificate authority.
	CAData  []byte
	Status  string
	Version string
	// LoggingTypes are the enabled control plane log types.
	LoggingTypes []string
	Error        string
}

// describeConcurrency bounds concurrent DescribeCluster calls.
const describeConcurrency = 4

// List returns every EKS cluster of the clients' region (or just names, in that order),
// each described. A DescribeCluster failure is recorded in that cluster's Error; only a
// failure to list the clusters is returned as an error.
func List(ctx context.Context, c *awsapi.Clients, names []string) ([]Cluster, error) {
	if len(names) == 0 {
		p := eks.NewListClustersPaginator(c.EKS, &eks.ListClustersInput{})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, awsapi.Wrap(err, "eks ListClusters", c.Region, "eks:ListClusters")
			}
			names = append(names, out.Clusters...)
		}
	}
	out := make([]Cluster, len(names))
	sem := make(chan struct{}, describeConcurrency)
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				out[i] = Cluster{Name: name, Error: ctx.Err().Error()}
				return
			}
			defer func() { <-sem }()
			out[i] = describe(ctx, c, name)
		}()
	}
	wg.Wait()
	return out, nil
}

func describe(ctx context.Context, c *awsapi.Clients, name string) Cluster {
	cl := Cluster{Name: name}
	resp, err := c.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		cl.Error = awsapi.Wrap(err, "eks DescribeCluster", name, "eks:DescribeCluster").Error()
		return cl
	}
	d := resp.Cluster
	if d == nil {
		cl.Error = fmt.Sprintf("eks DescribeCluster %s: empty response", name)
		return cl
	}
	cl.Arn = aws.ToString(d.Arn)
	cl.Endpoint = aws.ToString(d.Endpoint)
	cl.Status = string(d.Status)
	cl.Version = aws.ToString(d.Version)
	if d.Logging != nil {
		for _, ls := range d.Logging.ClusterLogging {
			if aws.ToBool(ls.Enabled) {
				for _, t := range ls.Types {
					cl.LoggingTypes = append(cl.LoggingTypes, string(t))
				}
			}
		}
	}
	if d.CertificateAuthority != nil && aws.ToString(d.CertificateAuthority.Data) != "" {
		ca, err := base64.StdEncoding.DecodeString(aws.ToString(d.CertificateAuthority.Data))
		if err != nil {
			cl.Error = fmt.Sprintf("eks DescribeCluster %s: certificate authority data is not base64: %v", name, err)
			return cl
		}
		cl.CAData = ca
	}
	switch {
	case cl.Endpoint == "":
		cl.Error = fmt.Sprintf("cluster %s has no API endpoint (status %s)", name, cl.Status)
	case len(cl.CAData) == 0:
		cl.Error = fmt.Sprintf("cluster %s has no certificate authority data (status %s)", name, cl.Status)
	}
	return cl
}
