package awstest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/directconnect"
	dxtypes "github.com/aws/aws-sdk-go-v2/service/directconnect/types"
)

func TestDirectConnectFake(t *testing.T) {
	srv := New()
	defer srv.Close()
	for i := 0; i < dxPageSize+5; i++ {
		srv.AddDXVirtualInterface(DXVirtualInterface{ID: fmt.Sprintf("dxvif-%08x", i)})
	}
	srv.SetDXVirtualInterfaceState("dxvif-00000001", "down")
	client := directconnect.NewFromConfig(srv.Config())
	ctx := context.Background()

	t.Run("by id", func(t *testing.T) {
		out, err := client.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{VirtualInterfaceId: aws.String("dxvif-00000001")})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.VirtualInterfaces) != 1 || out.VirtualInterfaces[0].VirtualInterfaceState != dxtypes.VirtualInterfaceStateDown ||
			out.VirtualInterfaces[0].BgpPeers[0].BgpStatus != dxtypes.BGPStatusUp {
			t.Fatalf("got %+v", out.VirtualInterfaces)
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		_, err := client.DescribeVirtualInterfaces(ctx, &directconnect.DescribeVirtualInterfacesInput{VirtualInterfaceId: aws.String("dxvif-ffffffff")})
		var ce *dxtypes.DirectConnectClientException
		if !errors.As(err, &ce) {
			t.Fatalf("err %v, want DirectConnectClientException", err)
		}
	})
	t.Run("all, paginated", func(t *testing.T) {
		in := &directconnect.DescribeVirtualInterfacesInput{}
		n, pages := 0, 0
		for {
			out, err := client.DescribeVirtualInterfaces(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			n += len(out.VirtualInterfaces)
			if out.NextToken == nil {
				break
			}
			in.NextToken = out.NextToken
		}
		if n != dxPageSize+5 || pages != 2 {
			t.Fatalf("got %d interfaces in %d pages", n, pages)
		}
	})
}
