package config

import (
	"errors"
	"strings"
	"testing"
)

func TestServerDefaultsValid(t *testing.T) {
	if err := NewServer().Validate(nil); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
}

func TestServerValidateReportsEveryProblem(t *testing.T) {
	s := NewServer()
	s.ClusterCIDR = "10.42.0.0/33"
	s.ServiceCIDR = "nope"
	s.ClusterDNS = "10.99.0.10"
	s.HTTPSPort = 70000
	s.WriteKubeconfigMode = "rw"
	s.NodeLabels = []string{"novalue", "ok=yes"}
	s.NodeTaints = []string{"k=v:Sometimes"}
	s.TLSSANs = []string{"bad name!"}
	s.ClusterInit = true
	s.DatastoreEndpoint = "mysql://x"
	s.KubeletArgs = []string{"=1"}
	s.Disable = []string{"traefk"}
	err := s.Validate(func(d []string) error {
		if len(d) > 0 && d[0] == "traefk" {
			return errors.New(`unknown addon "traefk"`)
		}
		return nil
	})
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{"--cluster-cidr", "--service-cidr", "--https-listen-port", "--write-kubeconfig-mode",
		`--node-label "novalue"`, "--node-taint", "--tls-san", "mutually exclusive", "--kubelet-arg", `--disable: unknown addon "traefk"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), `"ok=yes"`) {
		t.Errorf("valid label reported: %v", err)
	}
}

func TestClusterDNSOutsideServiceCIDR(t *testing.T) {
	s := NewServer()
	s.ClusterDNS = "10.99.0.10"
	if err := s.Validate(nil); err == nil || !strings.Contains(err.Error(), "not inside --service-cidr") {
		t.Fatalf("got %v", err)
	}
}

func TestAgentNeedsServerAndToken(t *testing.T) {
	a := NewAgent()
	err := a.Validate()
	if err == nil || !strings.Contains(err.Error(), "--server") || !strings.Contains(err.Error(), "--token") {
		t.Fatalf("got %v", err)
	}
	a.ServerURL, a.Token = "http://x:6443", "t"
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "want https://") {
		t.Fatalf("plain http accepted: %v", err)
	}
	a.ServerURL = "https://mini-dev-server-0:6443"
	if err := a.Validate(); err != nil {
		t.Fatalf("valid agent rejected: %v", err)
	}
}

func TestKubernetesServiceIP(t *testing.T) {
	s := NewServer()
	ip, err := s.KubernetesServiceIP()
	if err != nil || ip.String() != "10.43.0.1" {
		t.Fatalf("got %v, %v", ip, err)
	}
}

func TestComponentArgs(t *testing.T) {
	got := ComponentArgs([]string{"max-pods=20", "--v=2", "feature-gates=A=true"})
	want := []string{"--max-pods=20", "--v=2", "--feature-gates=A=true"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %v", got)
	}
}

func TestDefaultRouteInterface(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/route"
	content := "Iface\tDestination\tGateway\tFlags\nlo\t0000007F\t00000000\t0001\neth0\t00000000\t010012AC\t0003\n"
	if err := writeFile(path, content); err != nil {
		t.Fatal(err)
	}
	got, err := defaultRouteInterface(path)
	if err != nil || got != "eth0" {
		t.Fatalf("got %q, %v", got, err)
	}
	if err := writeFile(path, "Iface\tDestination\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := defaultRouteInterface(path); err == nil {
		t.Fatal("no default route accepted")
	}
}

func TestServerJoinValidation(t *testing.T) {
	cases := []struct {
		name    string
		mod     func(*Server)
		wantErr string
	}{
		{"join with token", func(s *Server) {}, ""},
		{"no token", func(s *Server) { s.Token = "" }, "--server needs --token"},
		{"with cluster-init", func(s *Server) { s.ClusterInit = true }, "--cluster-init and --server are mutually exclusive"},
		{"sqlite endpoint", func(s *Server) { s.DatastoreEndpoint = "sqlite:///tmp/x.db" }, "SQLite file cannot be shared"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := NewServer()
			s.ServerURL, s.Token = "https://mini-ha-lb:6443", "t"
			c.mod(s)
			err := s.Validate(nil)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if !s.EmbeddedEtcd() {
					t.Fatal("a joining server without a datastore endpoint must run embedded etcd")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got %v, want %q", err, c.wantErr)
			}
		})
	}
}

func TestPrivateRegistryFile(t *testing.T) {
	dir := t.TempDir()
	a := NewAgent()
	a.ServerURL, a.Token = "https://mini-dev-server-0:6443", "t"
	if a.PrivateRegistry != DefaultPrivateRegistry || !a.PrivateRegistryOptional() {
		t.Fatalf("default --private-registry = %q", a.PrivateRegistry)
	}
	if err := a.Validate(); err != nil {
		t.Fatalf("default path rejected (a missing file there means no registries): %v", err)
	}
	a.PrivateRegistry = dir + "/missing.yaml"
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), `--private-registry "`+a.PrivateRegistry+`": no such file`) {
		t.Errorf("missing explicit file: %v", err)
	}
	a.PrivateRegistry = dir
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
	a.PrivateRegistry = dir + "/registries.yaml"
	if err := writeFile(a.PrivateRegistry, "mirrors: {}\n"); err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("existing file: %v", err)
	}
	a.PrivateRegistry = ""
	if err := a.Validate(); err != nil || a.PrivateRegistryOptional() {
		t.Errorf("empty path means none: %v", err)
	}
}
