// Package token creates and parses mini's cluster token.
//
// The full form follows k3s's scheme, K10<sha256 of the server CA
// bundle>::server:<secret>, so a joining node can pin the CA it is about to
// trust before it sends anything secret. A bare secret is also accepted (then
// the CA cannot be pinned, and the caller says so).
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

const (
	prefix    = "K10"
	separator = "::"
	userPart  = "server:"
)

// Token is a parsed cluster token.
type Token struct {
	// CAHash is the hex sha256 of the server CA bundle, empty for a bare secret.
	CAHash string
	Secret string
}

// Generate returns a random secret of 32 bytes, hex-encoded.
func Generate() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Parse accepts the full K10 form or a bare secret.
func Parse(s string) (Token, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Token{}, errors.New("token is empty")
	}
	if !strings.HasPrefix(s, prefix) || !strings.Contains(s, separator) {
		return Token{Secret: s}, nil
	}
	hash, rest, _ := strings.Cut(strings.TrimPrefix(s, prefix), separator)
	if len(hash) != sha256.Size*2 {
		return Token{}, fmt.Errorf("token: CA hash has %d hex characters, want %d", len(hash), sha256.Size*2)
	}
	if _, err := hex.DecodeString(hash); err != nil {
		return Token{}, fmt.Errorf("token: CA hash is not hex: %w", err)
	}
	secret := strings.TrimPrefix(rest, userPart)
	if secret == "" || strings.Contains(secret, ":") {
		return Token{}, errors.New("token: want K10<ca-hash>::server:<secret>")
	}
	return Token{CAHash: hash, Secret: secret}, nil
}

// String renders the full form when the CA hash is known.
func (t Token) String() string {
	if t.CAHash == "" {
		return t.Secret
	}
	return prefix + t.CAHash + separator + userPart + t.Secret
}

// HashCA returns the hex sha256 of a CA bundle as it is served.
func HashCA(bundle []byte) string {
	sum := sha256.Sum256(bundle)
	return hex.EncodeToString(sum[:])
}

// VerifyCA checks a CA bundle fetched from a server against the pinned hash.
func (t Token) VerifyCA(bundle []byte) error {
	if t.CAHash == "" {
		return nil
	}
	got := HashCA(bundle)
	if subtle.ConstantTimeCompare([]byte(got), []byte(t.CAHash)) != 1 {
		return fmt.Errorf("server CA hash %s does not match the token's %s: the token is for another cluster, or something is intercepting the connection", got, t.CAHash)
	}
	return nil
}

// SecretMatches compares secrets in constant time.
func (t Token) SecretMatches(secret string) bool {
	return subtle.ConstantTimeCompare([]byte(t.Secret), []byte(secret)) == 1
}

// Bootstrap derives a Kubernetes bootstrap token (id.secret, [a-z0-9]{6}.[a-z0-9]{16})
// from the cluster secret. Server and agents derive the same one, so any
// secret a user picks works for TLS bootstrapping without a second token.
func (t Token) Bootstrap() (id, secret string) {
	sum := sha256.Sum256([]byte("mini-bootstrap-token:" + t.Secret))
	h := hex.EncodeToString(sum[:])
	return h[:6], h[6:22]
}
