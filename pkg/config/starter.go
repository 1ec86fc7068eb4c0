package config

import (
	"fmt"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/config/v1alpha1"
	"github.com/minictl/mini/pkg/version"
)

// Starter is a commented config file to begin with, for `mini config
// init`: every field, set to its default or commented out with an
// example, so that the file creates what `mini cluster create NAME` does
// until edited.
func Starter(name string) []byte {
	return fmt.Appendf(nil, starterTemplate, SchemaURL, v1alpha1.APIVersion, v1alpha1.Kind, name,
		cluster.MaxServers, cluster.MaxAgents, version.ImageRepository, version.DefaultImages().Node, version.DefaultImages().LB, cluster.DefaultTimeout)
}

const starterTemplate = `# yaml-language-server: $schema=%s
# A mini cluster: mini cluster create -c THIS-FILE. Flags and MINI_*
# environment variables override what is set here; what is left out takes
# the defaults. Reference: docs/config.md.
apiVersion: %s
kind: %s
metadata:
  # At most 32 lower-case letters, digits and '-'. A NAME argument wins.
  name: %s

# Server (control-plane) nodes, 1 to %d. More than 1 runs embedded etcd:
# 3 survive the loss of one, 2 survive nothing.
servers: 1
# Agent (worker) nodes, 0 to %d.
agents: 0
# Where mini's images come from (node, load balancer, registry): a mirror
# for hosts that cannot reach %s.
# imageRepository: registry.example.com/mirror/minictl
# The node image; left out, mini's own under imageRepository:
# image: %s

# Where the Kubernetes API is published on the host (no port: a free one).
api:
  host: 127.0.0.1
  # port: 6550

# token: a-shared-secret    # default: random
# network: an-existing-network
# subnet: 172.30.5.0/24     # at least a /24; not with network

loadBalancer:
  # false publishes server 0's API directly, with no load balancer.
  enabled: true
  # image: %s

# Ports to publish: [HOST:][HOSTPORT:]CONTAINERPORT[/tcp|udp] (quote them).
# Without nodeFilters a port goes through the load balancer to every node;
# a filter such as agents:* narrows it, and agent:0:direct publishes it
# on that one node instead.
# ports:
#   - port: "8080:80"
#     nodeFilters: [loadbalancer]
#   - port: "30000-30100"

# Node filters: server:0, servers:*, agent:1,3, agents:2-4, all.
# volumes:
#   - volume: /src:/src:ro
#     nodeFilters: [agents:*]
# env:
#   - envVar: HTTP_PROXY=http://proxy:3128
# nodeLabels:
#   - label: tier=edge
#     nodeFilters: [agent:0]
# k3sArgs:                  # without nodeFilters: servers only
#   - arg: --disable=traefik
# hostAliases:              # host.mini.internal is always the Docker host
#   - ip: 10.0.0.5
#     hostnames: [db, cache]

# memory:
#   servers: 2g
#   agents: 1g

# registries:
#   create:
#     - name: registry
#       hostPort: "5000"
#   use: [shared-registry:5000]
#   config: registries.yaml   # a k3s registries.yaml

options:
  # Wait until every node is Ready, for at most timeout (0: no limit).
  wait: true
  timeout: %s
  # false keeps what was created when creation fails, for debugging.
  rollback: true
  kubeconfig:
    updateDefault: true
    switchContext: true
`
