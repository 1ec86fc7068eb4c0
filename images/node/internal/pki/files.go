package pki

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

func load(p Pair) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := os.ReadFile(p.CertPath)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(p.KeyPath)
	if err != nil {
		return nil, nil, err
	}
	cert, err := ParseCert(certPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p.CertPath, err)
	}
	key, err := ParseKey(keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", p.KeyPath, err)
	}
	return cert, key, nil
}

// ParseCert decodes the first certificate of a PEM bundle.
func ParseCert(data []byte) (*x509.Certificate, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(b.Bytes)
}

// ParseKey decodes a PKCS#8 or EC private key.
func ParseKey(data []byte) (crypto.Signer, error) {
	b, _ := pem.Decode(data)
	if b == nil {
		return nil, errors.New("no PEM key")
	}
	if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return s, nil
		}
	}
	return x509.ParseECPrivateKey(b.Bytes)
}

func write(p Pair, der []byte, key crypto.Signer) error {
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("marshal key: %w", err)
	}
	// The key goes first: a crash between the two writes leaves a cert
	// without its key, which load rejects, rather than a usable mismatch.
	if err := WriteFile(p.KeyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return WriteFile(p.CertPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

// WriteFile writes data atomically (temp file + rename in the same
// directory), creating parent directories, so a crash never leaves a
// half-written certificate, key or kubeconfig behind.
func WriteFile(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("chmod %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
