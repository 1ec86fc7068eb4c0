package token

import (
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	secret, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	ca := []byte("-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n")
	full := Token{CAHash: HashCA(ca), Secret: secret}.String()
	if !strings.HasPrefix(full, "K10") || !strings.Contains(full, "::server:") {
		t.Fatalf("unexpected form %q", full)
	}
	got, err := Parse(full)
	if err != nil {
		t.Fatal(err)
	}
	if got.Secret != secret || got.CAHash != HashCA(ca) {
		t.Fatalf("round trip lost data: %+v", got)
	}
	if err := got.VerifyCA(ca); err != nil {
		t.Fatalf("own CA rejected: %v", err)
	}
	if err := got.VerifyCA([]byte("another CA")); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("foreign CA accepted: %v", err)
	}
	if !got.SecretMatches(secret) || got.SecretMatches(secret+"x") {
		t.Fatal("secret comparison wrong")
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		wantErr string
		secret  string
	}{
		{in: "plainsecret", secret: "plainsecret"},
		{in: "", wantErr: "empty"},
		{in: "K10abc::server:x", wantErr: "hex characters"},
		{in: "K10" + strings.Repeat("z", 64) + "::server:x", wantErr: "not hex"},
		{in: "K10" + strings.Repeat("a", 64) + "::server:", wantErr: "want K10"},
	} {
		got, err := Parse(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse(%q) error = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got.Secret != tc.secret || got.CAHash != "" {
			t.Errorf("Parse(%q) = %+v, %v", tc.in, got, err)
		}
	}
}

func TestBootstrapTokenShape(t *testing.T) {
	a, b := Token{Secret: "s1"}.Bootstrap()
	c, d := Token{Secret: "s1"}.Bootstrap()
	e, _ := Token{Secret: "s2"}.Bootstrap()
	if a != c || b != d || a == e {
		t.Fatal("bootstrap token must be a deterministic function of the secret")
	}
	if len(a) != 6 || len(b) != 16 || strings.Trim(a+b, "0123456789abcdef") != "" {
		t.Fatalf("not a bootstrap token: %s.%s", a, b)
	}
}
