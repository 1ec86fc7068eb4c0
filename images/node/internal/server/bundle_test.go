package server

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/datastore"
	"github.com/minictl/mini/images/node/internal/token"
)

func TestBundleRoundTrip(t *testing.T) {
	src := t.TempDir()
	for _, f := range bundleFiles {
		if err := os.WriteFile(filepath.Join(src, f), []byte("content of "+f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tok := token.Token{Secret: "s3cret"}
	sealed, err := sealBundle(src, datastore.EmbeddedEtcd, tok)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("content of")) {
		t.Fatal("sealed bundle carries plain text")
	}
	if _, err := openBundle(sealed, token.Token{Secret: "other"}); err == nil || !strings.Contains(err.Error(), "does not open") {
		t.Fatalf("a wrong token opened the bundle: %v", err)
	}
	b, err := openBundle(sealed, tok)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if err := writeBundle(dst, b); err != nil {
		t.Fatal(err)
	}
	for _, f := range bundleFiles {
		got, err := os.ReadFile(filepath.Join(dst, f))
		if err != nil || string(got) != "content of "+f {
			t.Fatalf("%s: %q, %v", f, got, err)
		}
		if st, _ := os.Stat(filepath.Join(dst, f)); filepath.Ext(f) == ".key" && st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", f, st.Mode().Perm())
		}
	}
}

func TestSQLiteBundleCarriesNoKeysAndIsRefused(t *testing.T) {
	tok := token.Token{Secret: "s"}
	sealed, err := sealBundle(t.TempDir(), datastore.SQLite, tok)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openBundle(sealed, tok)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Files) != 0 {
		t.Fatalf("a SQLite server shared %d files", len(b.Files))
	}
	cfg := config.NewServer()
	cfg.ServerURL = "https://s0:6443"
	if err := joinable(cfg, b.Datastore); err == nil || !strings.Contains(err.Error(), "SQLite") {
		t.Fatalf("joining a SQLite server: %v", err)
	}
	if err := joinable(cfg, datastore.EmbeddedEtcd); err != nil {
		t.Fatalf("joining an etcd server: %v", err)
	}
	cfg.DatastoreEndpoint = "postgres://db/k8s"
	if err := joinable(cfg, datastore.Kine); err != nil {
		t.Fatalf("sharing an external datastore: %v", err)
	}
}
