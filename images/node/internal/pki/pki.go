package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"
)

const (
	caValidity   = 10 * 365 * 24 * time.Hour
	certValidity = 365 * 24 * time.Hour
	// renewBefore reissues a leaf that would expire soon, so a long-lived
	// cluster restarted after months keeps working.
	renewBefore = 90 * 24 * time.Hour
)

// CA is a certificate authority held in memory for signing.
type CA struct {
	Cert     *x509.Certificate
	Key      crypto.Signer
	CertPath string
	KeyPath  string
}

// Usage says what a leaf certificate is for.
type Usage int

// Leaf certificate usages.
const (
	Client Usage = iota
	Server
	ClientServer
)

// Spec describes a leaf certificate.
type Spec struct {
	CommonName   string
	Organization []string
	DNSNames     []string
	IPs          []net.IP
	Usage        Usage
}

// Pair is where a certificate and its key are written.
type Pair struct{ CertPath, KeyPath string }

// PairIn names the files <dir>/<name>.crt and <dir>/<name>.key.
func PairIn(dir, name string) Pair {
	return Pair{CertPath: filepath.Join(dir, name+".crt"), KeyPath: filepath.Join(dir, name+".key")}
}

// EnsureCA loads the CA at dir/name.{crt,key} or creates a new one.
func EnsureCA(dir, name, commonName string) (*CA, error) {
	p := PairIn(dir, name)
	cert, key, err := load(p)
	if err == nil {
		return &CA{Cert: cert, Key: key, CertPath: p.CertPath, KeyPath: p.KeyPath}, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("load ca %s: %w", name, err)
	}
	key, err = newKey()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: fmt.Sprintf("%s@%d", commonName, now.Unix())},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("create ca %s: %w", name, err)
	}
	if err := write(p, der, key); err != nil {
		return nil, err
	}
	cert, _ = x509.ParseCertificate(der)
	return &CA{Cert: cert, Key: key, CertPath: p.CertPath, KeyPath: p.KeyPath}, nil
}

// Ensure makes sure p holds a certificate for spec signed by ca, reusing the
// existing one when it still matches.
func (ca *CA) Ensure(p Pair, spec Spec) error {
	if cert, key, err := load(p); err == nil && ca.matches(cert, key, spec) {
		return nil
	}
	key, err := newKey()
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: spec.CommonName, Organization: spec.Organization},
		DNSNames:     spec.DNSNames,
		IPAddresses:  spec.IPs,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  extUsage(spec.Usage),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return fmt.Errorf("sign %s: %w", spec.CommonName, err)
	}
	return write(p, der, key)
}

// Sign issues a certificate for a public key someone else holds (an agent
// asking for its kubelet credentials), returning it PEM-encoded.
func (ca *CA) Sign(pub crypto.PublicKey, spec Spec) ([]byte, error) {
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: spec.CommonName, Organization: spec.Organization},
		DNSNames:     spec.DNSNames,
		IPAddresses:  spec.IPs,
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  extUsage(spec.Usage),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", spec.CommonName, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

func (ca *CA) matches(cert *x509.Certificate, key crypto.Signer, spec Spec) bool {
	if cert.CheckSignatureFrom(ca.Cert) != nil || time.Until(cert.NotAfter) < renewBefore {
		return false
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return false
	}
	if cert.Subject.CommonName != spec.CommonName || !slices.Equal(cert.Subject.Organization, spec.Organization) {
		return false
	}
	if !sameSet(cert.DNSNames, spec.DNSNames) {
		return false
	}
	have := make([]string, 0, len(cert.IPAddresses))
	for _, ip := range cert.IPAddresses {
		have = append(have, ip.String())
	}
	want := make([]string, 0, len(spec.IPs))
	for _, ip := range spec.IPs {
		want = append(want, ip.String())
	}
	return sameSet(have, want)
}

// EnsureKey makes sure path holds a private key (the service-account signing
// key) and writes its public half next to it as .pub.
func EnsureKey(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	key, err := newKey()
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("marshal key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return fmt.Errorf("marshal public key: %w", err)
	}
	if err := WriteFile(path+".pub", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644); err != nil {
		return err
	}
	return WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
}

// NewKeyPEM returns a fresh private key and its PEM encoding (for agents
// that send only their public key to the server).
func NewKeyPEM() (crypto.Signer, []byte, error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal key: %w", err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

func extUsage(u Usage) []x509.ExtKeyUsage {
	switch u {
	case Server:
		return []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	case ClientServer:
		return []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	default:
		return []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
}

// ECDSA P-256: generation takes microseconds, where RSA-2048 costs tens of
// milliseconds per key — it adds up on first boot with a dozen certificates.
func newKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return k, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return n
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
