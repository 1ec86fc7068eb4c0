package datastore

import (
	"os"
	"path/filepath"
	"testing"
)

func TestInitialCluster(t *testing.T) {
	members := []Member{
		{Name: "s0", PeerURL: "https://10.0.0.10:2380", Started: true},
		{Name: "s1", PeerURL: "https://10.0.0.11:2380", Started: true},
		{PeerURL: "https://10.0.0.12:2380"}, // just added: this node
		{PeerURL: "https://10.0.0.13:2380"}, // someone else's pending join
	}
	got := InitialCluster(members, "s2", "https://10.0.0.12:2380")
	want := "s0=https://10.0.0.10:2380,s1=https://10.0.0.11:2380,s2=https://10.0.0.12:2380"
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

func TestHasEtcdData(t *testing.T) {
	dir := t.TempDir()
	if HasEtcdData(dir) {
		t.Error("empty dir has data")
	}
	if err := os.MkdirAll(filepath.Join(dir, "member", "wal"), 0o700); err != nil {
		t.Fatal(err)
	}
	if HasEtcdData(dir) {
		t.Error("a member dir without a WAL file counts as data: a joiner would bootstrap its own cluster from it")
	}
	if err := os.WriteFile(filepath.Join(dir, "member", "wal", "0000000000000000-0000000000000000.wal"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if !HasEtcdData(dir) {
		t.Error("a member with a WAL file has no data")
	}
}
