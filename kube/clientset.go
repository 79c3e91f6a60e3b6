package kube

import (
	"fmt"
	"net/http"

	"k8s.io/client-go/discovery"
	appsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"
	authorizationv1 "k8s.io/client-go/kubernetes/typed/authorization/v1"
	batchv1 "k8s.io/client-go/kubernetes/typed/batch/v1"
	corev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/flowcontrol"
)

// Interface is the part of a Kubernetes clientset fis-mcp uses: core, apps, batch and
// authorization v1, and discovery. *kubernetes.Clientset has the same methods; fis-mcp
// builds only these typed clients (NewClientset), since the whole clientset compiles every
// API group's client and types, about 100 packages more in every build.
type Interface interface {
	Discovery() discovery.DiscoveryInterface
	CoreV1() corev1.CoreV1Interface
	AppsV1() appsv1.AppsV1Interface
	BatchV1() batchv1.BatchV1Interface
	AuthorizationV1() authorizationv1.AuthorizationV1Interface
}

// Clients holds the typed clients of Interface, sharing one HTTP client and one rate
// limiter as kubernetes.NewForConfig's do.
type Clients struct {
	discovery     *discovery.DiscoveryClient
	core          *corev1.CoreV1Client
	apps          *appsv1.AppsV1Client
	batch         *batchv1.BatchV1Client
	authorization *authorizationv1.AuthorizationV1Client
}

func (c *Clients) Discovery() discovery.DiscoveryInterface { return c.discovery }
func (c *Clients) CoreV1() corev1.CoreV1Interface          { return c.core }
func (c *Clients) AppsV1() appsv1.AppsV1Interface          { return c.apps }
func (c *Clients) BatchV1() batchv1.BatchV1Interface       { return c.batch }
func (c *Clients) AuthorizationV1() authorizationv1.AuthorizationV1Interface {
	return c.authorization
}

// NewClientset builds the clients from cfg the way kubernetes.NewForConfig does: the
// default user agent when none is set, one transport for all, and one token-bucket rate
// limiter from QPS and Burst when cfg has no limiter.
func NewClientset(cfg *rest.Config) (*Clients, error) {
	c := *cfg
	if c.UserAgent == "" {
		c.UserAgent = rest.DefaultKubernetesUserAgent()
	}
	httpClient, err := rest.HTTPClientFor(&c)
	if err != nil {
		return nil, err
	}
	if c.RateLimiter == nil && c.QPS > 0 {
		if c.Burst <= 0 {
			return nil, fmt.Errorf("burst is required to be greater than 0 when RateLimiter is not set and QPS is set to greater than 0")
		}
		c.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(c.QPS, c.Burst)
	}
	return newClientset(&c, httpClient)
}

func newClientset(c *rest.Config, hc *http.Client) (*Clients, error) {
	var cs Clients
	var err error
	if cs.core, err = corev1.NewForConfigAndClient(c, hc); err != nil {
		return nil, err
	}
	if cs.apps, err = appsv1.NewForConfigAndClient(c, hc); err != nil {
		return nil, err
	}
	if cs.batch, err = batchv1.NewForConfigAndClient(c, hc); err != nil {
		return nil, err
	}
	if cs.authorization, err = authorizationv1.NewForConfigAndClient(c, hc); err != nil {
		return nil, err
	}
	if cs.discovery, err = discovery.NewDiscoveryClientForConfigAndClient(c, hc); err != nil {
		return nil, err
	}
	return &cs, nil
}
