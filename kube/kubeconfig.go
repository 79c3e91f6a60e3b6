package kube

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// WriteKubeconfig writes an isolated kubeconfig for one cluster (mode 0600, parent
// directory created 0700) whose user runs `aws eks get-token`, for the user's own
// kubectl. fis-mcp itself never reads it. It refuses to write ~/.kube/config.
func WriteKubeconfig(path string, c Cluster) error {
	if path == "" {
		return fmt.Errorf("write kubeconfig for cluster %s: empty path", c.Name)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	if isDefaultKubeconfig(abs) {
		return fmt.Errorf("write kubeconfig %s: refusing to overwrite the default kubeconfig; use a per-cluster file", path)
	}
	dir := filepath.Dir(abs)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	// The directory may be a symlink to ~/.kube: compare resolved paths too.
	if real, err := filepath.EvalSymlinks(dir); err == nil && isDefaultKubeconfig(filepath.Join(real, filepath.Base(abs))) {
		return fmt.Errorf("write kubeconfig %s: refusing to overwrite the default kubeconfig; use a per-cluster file", path)
	}
	data, err := clientcmd.Write(kubeconfigFor(c))
	if err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, ".kubeconfig-*")
	if err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), abs); err != nil {
		return fmt.Errorf("write kubeconfig %s: %w", path, err)
	}
	return nil
}

func kubeconfigFor(c Cluster) clientcmdapi.Config {
	name := c.Name
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[name] = &clientcmdapi.Cluster{Server: c.Endpoint, CertificateAuthorityData: c.CAData}
	args := []string{"eks", "get-token", "--cluster-name", c.Name}
	if c.Region != "" {
		args = append(args, "--region", c.Region)
	}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{
		APIVersion:      "client.authentication.k8s.io/v1beta1",
		Command:         "aws",
		Args:            args,
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}}
	cfg.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: name}
	cfg.CurrentContext = name
	return *cfg
}

// isDefaultKubeconfig reports whether abs is ~/.kube/config.
func isDefaultKubeconfig(abs string) bool {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return false
	}
	def := filepath.Join(home, ".kube", "config")
	if filepath.Clean(abs) == def {
		return true
	}
	if realHome, err := filepath.EvalSymlinks(home); err == nil && filepath.Clean(abs) == filepath.Join(realHome, ".kube", "config") {
		return true
	}
	return false
}
