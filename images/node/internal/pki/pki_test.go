package pki

import (
	"crypto/x509"
	"net"
	"os"
	"testing"
)

func TestEnsureReusesAndReissues(t *testing.T) {
	dir := t.TempDir()
	ca, err := EnsureCA(dir, "server-ca", "test-ca")
	if err != nil {
		t.Fatal(err)
	}
	again, err := EnsureCA(dir, "server-ca", "test-ca")
	if err != nil || !again.Cert.Equal(ca.Cert) {
		t.Fatalf("CA not reused: %v", err)
	}
	p := PairIn(dir, "serving")
	spec := Spec{CommonName: "kube-apiserver", DNSNames: []string{"localhost"}, IPs: []net.IP{net.ParseIP("127.0.0.1")}, Usage: Server}
	if err := ca.Ensure(p, spec); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(p.CertPath)
	if err := ca.Ensure(p, spec); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(p.CertPath)
	if string(first) != string(second) {
		t.Fatal("unchanged spec reissued the certificate")
	}
	spec.DNSNames = append(spec.DNSNames, "mini-dev-lb")
	if err := ca.Ensure(p, spec); err != nil {
		t.Fatal(err)
	}
	third, _ := os.ReadFile(p.CertPath)
	cert, err := ParseCert(third)
	if err != nil {
		t.Fatal(err)
	}
	if err := cert.VerifyHostname("mini-dev-lb"); err != nil {
		t.Fatalf("new SAN missing after reissue: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Fatalf("leaf does not chain to its CA: %v", err)
	}
	if st, _ := os.Stat(p.KeyPath); st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, want 0600", st.Mode().Perm())
	}
}

func TestEnsureKeyWritesPublicHalf(t *testing.T) {
	path := t.TempDir() + "/sa.key"
	if err := EnsureKey(path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if err := EnsureKey(path); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Fatal("existing key replaced")
	}
	if _, err := os.Stat(path + ".pub"); err != nil {
		t.Fatal(err)
	}
}
