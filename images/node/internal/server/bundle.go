package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/minictl/mini/images/node/internal/datastore"
	"github.com/minictl/mini/images/node/internal/pki"
	"github.com/minictl/mini/images/node/internal/token"
)

// The server bundle is what a joining server needs to be a control-plane
// node of the same cluster: the CA keys (it signs its own serving, etcd
// and node certificates with them) and the service-account key (tokens
// must verify on every apiserver). Each server publishes it as the Secret
// kube-system/mini-server-bundle, sealed with a key derived from the
// cluster secret, readable with the bootstrap token. So, as with k3s's
// server token, whoever holds the token can join as a server; the seal
// keeps the keys from anyone who can merely read Secrets.
const (
	BundleSecret = "mini-server-bundle"
	bundleKey    = "bundle"
)

// bundleFiles are the TLS-directory files a joining server takes over.
var bundleFiles = []string{
	"server-ca.crt", "server-ca.key", "client-ca.crt", "client-ca.key",
	"request-header-ca.crt", "request-header-ca.key", "etcd-ca.crt", "etcd-ca.key",
	"service-account.key", "service-account.key.pub",
}

// bundle is the sealed payload.
type bundle struct {
	// Datastore is the publishing server's datastore kind: only embedded
	// etcd can take more members, and a SQLite server sends no keys.
	Datastore datastore.Kind    `json:"datastore"`
	Files     map[string][]byte `json:"files,omitempty"`
}

// sealBundle reads the bundle from dir and seals it with the token.
func sealBundle(dir string, kind datastore.Kind, tok token.Token) ([]byte, error) {
	b := bundle{Datastore: kind}
	if kind != datastore.SQLite {
		b.Files = map[string][]byte{}
		for _, f := range bundleFiles {
			data, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				return nil, fmt.Errorf("server bundle: %w", err)
			}
			b.Files[f] = data
		}
	}
	plain, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("server bundle: %w", err)
	}
	gcm, err := bundleCipher(tok)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("server bundle nonce: %w", err)
	}
	return gcm.Seal(nonce, nonce, plain, []byte(BundleSecret)), nil
}

// openBundle unseals a bundle; a wrong token fails authentication.
func openBundle(sealed []byte, tok token.Token) (bundle, error) {
	gcm, err := bundleCipher(tok)
	if err != nil {
		return bundle{}, err
	}
	if len(sealed) < gcm.NonceSize() {
		return bundle{}, errors.New("server bundle is truncated")
	}
	nonce, body := sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():]
	plain, err := gcm.Open(nil, nonce, body, []byte(BundleSecret))
	if err != nil {
		return bundle{}, errors.New("server bundle does not open with this token (was it issued by another cluster?)")
	}
	var b bundle
	if err := json.Unmarshal(plain, &b); err != nil {
		return bundle{}, fmt.Errorf("server bundle: %w", err)
	}
	return b, nil
}

// writeBundle installs the bundle's files in dir, refusing an incomplete one.
func writeBundle(dir string, b bundle) error {
	for _, f := range bundleFiles {
		data, ok := b.Files[f]
		if !ok {
			return fmt.Errorf("server bundle lacks %s", f)
		}
		mode := os.FileMode(0o644)
		if filepath.Ext(f) == ".key" {
			mode = 0o600
		}
		if err := pki.WriteFile(filepath.Join(dir, f), data, mode); err != nil {
			return err
		}
	}
	return nil
}

func bundleCipher(tok token.Token) (cipher.AEAD, error) {
	key := sha256.Sum256([]byte("mini-server-bundle:" + tok.Secret))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("server bundle cipher: %w", err)
	}
	return cipher.NewGCM(block)
}
