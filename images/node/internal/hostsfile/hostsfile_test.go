package hostsfile

import (
	"reflect"
	"testing"
)

// What Docker 20.10 writes for a container with --hostname node-0 and
// --add-host host.mini.internal:host-gateway --add-host db:10.0.0.5.
const dockerHosts = `127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
fe00::0	ip6-localnet
ff00::0	ip6-mcastprefix
ff02::1	ip6-allnodes
ff02::2	ip6-allrouters
172.17.0.1	host.mini.internal
10.0.0.5	db
10.0.0.5	cache   # a comment
fd00::7	v6
10.0.0.9	DB
172.30.0.10	node-0
`

func TestExtra(t *testing.T) {
	got := Extra([]byte(dockerHosts), "node-0")
	want := []Entry{
		{IP: "172.17.0.1", Names: []string{"host.mini.internal"}},
		{IP: "10.0.0.5", Names: []string{"db", "cache"}},
		{IP: "fd00::7", Names: []string{"v6"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestExtraOfPlainFileIsEmpty(t *testing.T) {
	if got := Extra([]byte("127.0.0.1 localhost\n172.30.0.10 node-0\n"), "node-0"); len(got) != 0 {
		t.Fatalf("got %+v", got)
	}
}
