//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The node image's Debian part is cut to what a node runs (hack/lib.sh's
// debian_rootfs, hack/build-node-base.sh). This names what Kubernetes and
// containerd execute or read from it, so trimming one package too many
// fails here, in a second, rather than as a Service that never works or
// a volume that never mounts: each command must start, each file exist.
func TestNodeImageHasWhatKubernetesRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	needs := map[string]string{
		"iptables --version":                           "kube-proxy, CNI portmap, the agent's masquerade rule",
		"iptables-save --version":                      "kube-proxy",
		"iptables-restore --version":                   "kube-proxy",
		"ip6tables --version":                          "kube-proxy's dual-stack probe",
		"conntrack --version":                          "kube-proxy clears stale UDP flows",
		"mount --version":                              "kubelet mounts volumes",
		"umount --version":                             "kubelet unmounts volumes",
		"findmnt --version":                            "kubelet's mount checks",
		"nsenter --version":                            "port-forward and debugging",
		"sh -c true":                                   "mini doctor and kubelet exec probes",
		"df --version":                                 "mini doctor's disk check",
		"/usr/lib/cni/bridge --help":                   "pod networking",
		"/usr/lib/cni/host-local --help":               "pod IP allocation",
		"/usr/lib/cni/portmap --help":                  "hostPort",
		"/usr/lib/cni/loopback --help":                 "pod loopback",
		"test -s /etc/ssl/certs/ca-certificates.crt":   "pulling over TLS",
		"test -s /usr/share/zoneinfo/America/New_York": "CronJob spec.timeZone",
	}
	var script strings.Builder
	for cmd := range needs {
		script.WriteString(cmd + " >/dev/null 2>&1 || echo \"" + cmd + "\"\n")
	}
	out, err := docker(ctx, "run", "--rm", "--entrypoint", "sh", nodeImage(t), "-c", script.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, failed := range strings.Split(out, "\n") {
		if failed != "" {
			t.Errorf("node image: %q fails; needed for %s", failed, needs[failed])
		}
	}
}
