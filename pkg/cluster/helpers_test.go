package cluster

import (
	"net"
	"strconv"
	"testing"
)

func itoa(i int) string { return strconv.Itoa(i) }

// listen occupies a loopback port for the test and returns it as an
// --api-port value.
func listen(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l.Addr().String()
}
