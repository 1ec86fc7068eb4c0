package datastore

import "testing"

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
