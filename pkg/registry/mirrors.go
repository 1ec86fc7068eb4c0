package registry

import (
	"fmt"
	"net/url"
	"strconv"
)

// ContainerPort is where the registry listens inside its container.
const ContainerPort = 5000

// Registry is a registry container as the cluster's nodes see it.
type Registry struct {
	// Container is the container name, which resolves on every network the
	// registry is attached to.
	Container string
	// HostPort is where the host reaches it: localhost:HostPort.
	HostPort int
	// ProxyRemoteURL is the upstream of a pull-through cache, or empty.
	ProxyRemoteURL string
}

// HostRef is the registry's name on the host, e.g. localhost:5001; the
// nodes' containerd maps the same name to the container, so one image
// reference works for `docker push` and for a pod.
func (r Registry) HostRef() string { return "localhost:" + strconv.Itoa(r.HostPort) }

// InClusterRef is the registry's name on the cluster network.
func (r Registry) InClusterRef() string {
	return r.Container + ":" + strconv.Itoa(ContainerPort)
}

func (r Registry) endpoint() string { return "http://" + r.InClusterRef() }

// Mirrors returns the containerd mirrors that route to the registries:
// its host name (localhost:PORT), its in-cluster name (plain HTTP, which
// containerd would not assume for a non-localhost name) and, for a
// pull-through cache, its upstream's registry host (docker.io for
// registry-1.docker.io), so images named after the upstream come through
// the cache. An upstream mapping that clashes with another registry's own
// names is left out: the registry itself wins.
func Mirrors(regs []Registry) Config {
	c := Config{Mirrors: map[string]Mirror{}}
	for _, r := range regs {
		ep := Mirror{Endpoints: []string{r.endpoint()}}
		c.Mirrors[r.HostRef()] = ep
		c.Mirrors[r.InClusterRef()] = ep
	}
	for _, r := range regs {
		if r.ProxyRemoteURL == "" {
			continue
		}
		host := UpstreamHost(r.ProxyRemoteURL)
		if _, taken := c.Mirrors[host]; host != "" && !taken {
			c.Mirrors[host] = Mirror{Endpoints: []string{r.endpoint()}}
		}
	}
	return c
}

// UpstreamHost is the registry host image names use for a remote URL:
// docker.io for Docker Hub's registry-1.docker.io, else host[:port].
func UpstreamHost(remote string) string {
	u, err := url.Parse(remote)
	if err != nil {
		return ""
	}
	if u.Host == "registry-1.docker.io" {
		return "docker.io"
	}
	return u.Host
}

// HostingConfigMapData is the data of kube-public/local-registry-hosting
// (KEP-1755) for the registry. The container runtime uses the host's name
// too: the mirrors make it work there.
func HostingConfigMapData(r Registry, help string) map[string]string {
	return map[string]string{
		"localRegistryHosting.v1": fmt.Sprintf("host: %q\nhostFromContainerRuntime: %q\nhostFromClusterNetwork: %q\nhelp: %q\n",
			r.HostRef(), r.HostRef(), r.InClusterRef(), help),
	}
}
