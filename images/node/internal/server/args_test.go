package server

import (
	"strings"
	"testing"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/datastore"
)

func testServer(t *testing.T) (*config.Server, *TLS) {
	t.Helper()
	cfg := config.NewServer()
	cfg.DataDir = t.TempDir()
	cfg.NodeName, cfg.NodeIP = "mini-dev-server-0", "172.30.0.10"
	cfg.TLSSANs = []string{"mini-dev-lb", "127.0.0.2"}
	tls, err := ensureTLS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return cfg, tls
}

func TestAPIServerArgs(t *testing.T) {
	cfg, tls := testServer(t)
	cfg.KubeAPIServerArgs = []string{"max-requests-inflight=50"}
	kine := strings.Join(apiserverArgs(cfg, tls, datastore.Result{Kind: datastore.SQLite, Endpoints: []string{"unix:///x/kine.sock"}}), " ")
	for _, want := range []string{"--etcd-servers=unix:///x/kine.sock", "--service-cluster-ip-range=10.43.0.0/16",
		"--advertise-address=172.30.0.10", "--enable-bootstrap-token-auth=true"} {
		if !strings.Contains(kine, want) {
			t.Errorf("missing %s in %s", want, kine)
		}
	}
	if !strings.HasSuffix(kine, "--max-requests-inflight=50") || strings.Contains(kine, "--etcd-cafile") {
		t.Errorf("user args must come last; kine needs no etcd TLS: %s", kine)
	}
	etcd := strings.Join(apiserverArgs(cfg, tls, datastore.Result{Kind: datastore.EmbeddedEtcd, Endpoints: []string{"https://127.0.0.1:2379"},
		CAFile: "/ca", CertFile: "/c", KeyFile: "/k"}), " ")
	if !strings.Contains(etcd, "--etcd-cafile=/ca --etcd-certfile=/c --etcd-keyfile=/k") {
		t.Errorf("etcd TLS flags missing: %s", etcd)
	}
}

func TestLeaderElectionOnlyWithEtcd(t *testing.T) {
	cfg, tls := testServer(t)
	if a := strings.Join(controllerManagerArgs(cfg, tls), " "); !strings.Contains(a, "--leader-elect=false") {
		t.Errorf("single SQLite server should not elect: %s", a)
	}
	cfg.ClusterInit = true
	if a := strings.Join(schedulerArgs(cfg), " "); !strings.Contains(a, "--leader-elect=true") {
		t.Errorf("etcd servers must elect: %s", a)
	}
}

func TestServingCertNames(t *testing.T) {
	dns, ips, err := servingNames(&config.Server{Agent: config.Agent{NodeName: "n", NodeIP: "172.30.0.10"},
		ServiceCIDR: "10.43.0.0/16", ClusterDomain: "cluster.local", TLSSANs: []string{"Mini-Dev-LB", "127.0.0.2"}})
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(dns, " ")
	for _, want := range []string{"kubernetes.default.svc.cluster.local", "mini-dev-lb", "localhost"} {
		if !strings.Contains(all, want) {
			t.Errorf("missing DNS SAN %s: %v", want, dns)
		}
	}
	var ipStrs []string
	for _, ip := range ips {
		ipStrs = append(ipStrs, ip.String())
	}
	if got := strings.Join(ipStrs, " "); !strings.Contains(got, "10.43.0.1") || !strings.Contains(got, "127.0.0.2") || !strings.Contains(got, "172.30.0.10") {
		t.Errorf("IP SANs %s", got)
	}
}
