package server

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/datastore"
)

// Kubeconfig file names under the server's cred directory.
const (
	adminKubeconfig      = "admin.kubeconfig"
	controllerKubeconfig = "controller.kubeconfig"
	schedulerKubeconfig  = "scheduler.kubeconfig"
)

// apiserverArgs are kube-apiserver's flags. User args come last so
// --kube-apiserver-arg overrides any default.
func apiserverArgs(cfg *config.Server, t *TLS, ds datastore.Result) []string {
	args := []string{
		"--advertise-address=" + cfg.NodeIP,
		"--bind-address=0.0.0.0",
		"--secure-port=" + strconv.Itoa(cfg.HTTPSPort),
		"--allow-privileged=true",
		"--authorization-mode=Node,RBAC",
		"--enable-admission-plugins=NodeRestriction",
		"--anonymous-auth=true", // /readyz, /livez and /version for health checks
		"--profiling=false",
		"--service-cluster-ip-range=" + cfg.ServiceCIDR,
		"--service-node-port-range=30000-32767",
		"--client-ca-file=" + t.ClientCA.CertPath,
		"--tls-cert-file=" + t.Serving.CertPath,
		"--tls-private-key-file=" + t.Serving.KeyPath,
		"--service-account-key-file=" + t.ServiceAccountKey + ".pub",
		"--service-account-signing-key-file=" + t.ServiceAccountKey,
		"--service-account-issuer=https://kubernetes.default.svc." + cfg.ClusterDomain,
		"--api-audiences=https://kubernetes.default.svc." + cfg.ClusterDomain,
		"--kubelet-client-certificate=" + t.KubeletClient.CertPath,
		"--kubelet-client-key=" + t.KubeletClient.KeyPath,
		// Agents' kubelets serve a self-signed certificate (as under kubeadm),
		// so the apiserver does not verify kubelet serving certificates.
		"--enable-bootstrap-token-auth=true",
		"--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
		"--requestheader-client-ca-file=" + t.RequestHeaderCA.CertPath,
		"--requestheader-allowed-names=system:auth-proxy",
		"--requestheader-extra-headers-prefix=X-Remote-Extra-",
		"--requestheader-group-headers=X-Remote-Group",
		"--requestheader-username-headers=X-Remote-User",
		"--proxy-client-cert-file=" + t.AuthProxy.CertPath,
		"--proxy-client-key-file=" + t.AuthProxy.KeyPath,
		"--enable-aggregator-routing=true",
		"--etcd-servers=" + strings.Join(ds.Endpoints, ","),
		// One process, one GOMAXPROCS: fewer in-flight requests keep a
		// laptop cluster's memory down without limiting a test workload.
		"--max-requests-inflight=200",
		"--max-mutating-requests-inflight=100",
	}
	if ds.CAFile != "" {
		args = append(args, "--etcd-cafile="+ds.CAFile, "--etcd-certfile="+ds.CertFile, "--etcd-keyfile="+ds.KeyFile)
	}
	if cfg.Verbosity > 0 {
		args = append(args, "--v="+strconv.Itoa(cfg.Verbosity))
	}
	return append(args, config.ComponentArgs(cfg.KubeAPIServerArgs)...)
}

// leaderElect: a lone SQLite server has nobody to elect against, and
// skipping the lease lets a restarted node's controllers start at once
// instead of waiting out the previous instance's lease.
func leaderElect(cfg *config.Server) string {
	return strconv.FormatBool(cfg.UsesEtcd())
}

func controllerManagerArgs(cfg *config.Server, t *TLS) []string {
	kc := filepath.Join(config.PathsFor(cfg.DataDir).ServerCred(), controllerKubeconfig)
	args := []string{
		"--kubeconfig=" + kc,
		"--authentication-kubeconfig=" + kc,
		"--authorization-kubeconfig=" + kc,
		"--bind-address=127.0.0.1",
		"--secure-port=10257",
		"--profiling=false",
		"--leader-elect=" + leaderElect(cfg),
		// Pod subnets are assigned by the server itself (package podcidr),
		// without waiting for the controller-manager to start.
		"--allocate-node-cidrs=false",
		"--cluster-cidr=" + cfg.ClusterCIDR,
		"--service-cluster-ip-range=" + cfg.ServiceCIDR,
		"--configure-cloud-routes=false",
		"--controllers=*",
		"--use-service-account-credentials=true",
		"--service-account-private-key-file=" + t.ServiceAccountKey,
		"--root-ca-file=" + t.ServerCA.CertPath,
		"--cluster-signing-kube-apiserver-client-cert-file=" + t.ClientCA.CertPath,
		"--cluster-signing-kube-apiserver-client-key-file=" + t.ClientCA.KeyPath,
		"--cluster-signing-kubelet-client-cert-file=" + t.ClientCA.CertPath,
		"--cluster-signing-kubelet-client-key-file=" + t.ClientCA.KeyPath,
		"--cluster-signing-kubelet-serving-cert-file=" + t.ServerCA.CertPath,
		"--cluster-signing-kubelet-serving-key-file=" + t.ServerCA.KeyPath,
		"--cluster-signing-legacy-unknown-cert-file=" + t.ServerCA.CertPath,
		"--cluster-signing-legacy-unknown-key-file=" + t.ServerCA.KeyPath,
		// Faster reaction to a node that went away (docker stop of an agent).
		"--node-monitor-grace-period=20s",
	}
	if cfg.Verbosity > 0 {
		args = append(args, "--v="+strconv.Itoa(cfg.Verbosity))
	}
	return append(args, config.ComponentArgs(cfg.KubeControllerManagerArgs)...)
}

func schedulerArgs(cfg *config.Server) []string {
	kc := filepath.Join(config.PathsFor(cfg.DataDir).ServerCred(), schedulerKubeconfig)
	args := []string{
		"--kubeconfig=" + kc,
		"--authentication-kubeconfig=" + kc,
		"--authorization-kubeconfig=" + kc,
		"--bind-address=127.0.0.1",
		"--secure-port=10259",
		"--profiling=false",
		"--leader-elect=" + leaderElect(cfg),
	}
	if cfg.Verbosity > 0 {
		args = append(args, "--v="+strconv.Itoa(cfg.Verbosity))
	}
	return append(args, config.ComponentArgs(cfg.KubeSchedulerArgs)...)
}

// localURL is how in-node clients reach this server's apiserver.
func localURL(cfg *config.Server) string {
	return fmt.Sprintf("https://127.0.0.1:%d", cfg.HTTPSPort)
}
