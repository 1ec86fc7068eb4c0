package server

import (
	"fmt"
	"os"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/images/node/internal/pki"
)

// writeKubeconfig writes a kubeconfig for one client identity. With embed
// the certificates go inside the file, so it stays valid when copied out of
// the node (the admin kubeconfig the launcher reads); otherwise it refers to
// the files, which in-process components reload on rotation.
func writeKubeconfig(path, server, caPath string, client pki.Pair, embed bool, mode os.FileMode) error {
	cluster := &clientcmdapi.Cluster{Server: server}
	user := &clientcmdapi.AuthInfo{}
	if embed {
		var err error
		if cluster.CertificateAuthorityData, err = os.ReadFile(caPath); err != nil {
			return fmt.Errorf("kubeconfig %s: %w", path, err)
		}
		if user.ClientCertificateData, err = os.ReadFile(client.CertPath); err != nil {
			return fmt.Errorf("kubeconfig %s: %w", path, err)
		}
		if user.ClientKeyData, err = os.ReadFile(client.KeyPath); err != nil {
			return fmt.Errorf("kubeconfig %s: %w", path, err)
		}
	} else {
		cluster.CertificateAuthority = caPath
		user.ClientCertificate = client.CertPath
		user.ClientKey = client.KeyPath
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["default"] = cluster
	cfg.AuthInfos["default"] = user
	cfg.Contexts["default"] = &clientcmdapi.Context{Cluster: "default", AuthInfo: "default"}
	cfg.CurrentContext = "default"
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	return pki.WriteFile(path, data, mode)
}
