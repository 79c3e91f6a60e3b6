package awstest

import (
	"fmt"
	"net/http"
)

// notImplemented answers operations the fake does not model, in the protocol's error shape.
func notImplemented(_ *Server, c *call) {
	c.fail(http.StatusNotImplemented, "NotImplemented", fmt.Sprintf("awstest: %s %s is not modelled by the fake", c.service, c.op))
}
