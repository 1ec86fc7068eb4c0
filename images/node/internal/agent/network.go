package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/pki"
)

// CNIConfFile is the pod network's config; containerd watches its directory.
const CNIConfFile = "10-mini.conflist"

// RenderCNIConfig returns the conflist for a node's pod subnet: a bridge with
// host-local addresses, and portmap for hostPort. Masquerading is done once
// per node (see ensureMasquerade), not per pod, so pod-to-pod traffic across
// nodes keeps its source address.
func RenderCNIConfig(podCIDR string) ([]byte, error) {
	if _, _, err := net.ParseCIDR(podCIDR); err != nil {
		return nil, fmt.Errorf("pod cidr %q: %w", podCIDR, err)
	}
	conf := map[string]any{
		"cniVersion": "1.0.0",
		"name":       "mini",
		"plugins": []any{
			map[string]any{
				"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
				"ipam": map[string]any{
					"type":    "host-local",
					"ranges":  [][]map[string]string{{{"subnet": podCIDR}}},
					"routes":  []map[string]string{{"dst": "0.0.0.0/0"}},
					"dataDir": "/run/mini/cni/networks", // leases die with the pods' netns on restart
				},
			},
			map[string]any{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		},
	}
	return json.MarshalIndent(conf, "", "  ")
}

// Network keeps the node's part of the pod network in step with the cluster:
// it writes the CNI config once this node has a podCIDR, and routes every
// other node's podCIDR via that node's address on the shared Docker network.
type Network struct {
	Client      kubernetes.Interface
	NodeName    string
	NodeIP      string
	ClusterCIDR string

	cniWritten string // the podCIDR the CNI config was last written for
}

// Run watches Nodes until ctx ends.
func (n *Network) Run(ctx context.Context) error {
	if err := ensureMasquerade(n.ClusterCIDR); err != nil {
		return err
	}
	factory := informers.NewSharedInformerFactoryWithOptions(n.Client, 10*time.Minute)
	inf := factory.Core().V1().Nodes().Informer()
	sync := func(any) { n.sync(inf.GetStore()) }
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: sync, UpdateFunc: func(_, o any) { sync(o) }, DeleteFunc: sync,
	}); err != nil {
		return fmt.Errorf("watch nodes: %w", err)
	}
	factory.Start(ctx.Done())
	<-ctx.Done()
	factory.Shutdown()
	return nil
}

func (n *Network) sync(store cache.Store) {
	for _, obj := range store.List() {
		node := obj.(*corev1.Node)
		cidr := node.Spec.PodCIDR
		if cidr == "" {
			continue
		}
		if node.Name == n.NodeName {
			if n.cniWritten != cidr {
				if err := writeCNIConfig(cidr); err != nil {
					klog.ErrorS(err, "Writing CNI config")
					continue
				}
				n.cniWritten = cidr
				klog.InfoS("Pod network configured", "podCIDR", cidr)
			}
			continue
		}
		gw := internalIP(node)
		if gw == "" || gw == n.NodeIP {
			continue
		}
		if err := routeVia(cidr, gw); err != nil {
			klog.ErrorS(err, "Routing pod subnet", "node", node.Name, "podCIDR", cidr)
		}
	}
}

func writeCNIConfig(cidr string) error {
	data, err := RenderCNIConfig(cidr)
	if err != nil {
		return err
	}
	return pki.WriteFile(filepath.Join(config.CNIConfDir, CNIConfFile), data, 0o644)
}

func internalIP(node *corev1.Node) string {
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP && net.ParseIP(a.Address).To4() != nil {
			return a.Address
		}
	}
	return ""
}

func routeVia(cidr, gw string) error {
	_, dst, err := net.ParseCIDR(cidr)
	if err != nil {
		return err
	}
	return netlink.RouteReplace(&netlink.Route{Dst: dst, Gw: net.ParseIP(gw)})
}

// ensureMasquerade NATs traffic from pods to anything outside the cluster
// CIDR (the Docker network, the host, the internet) to the node's address.
func ensureMasquerade(clusterCIDR string) error {
	rule := []string{"POSTROUTING", "-s", clusterCIDR, "!", "-d", clusterCIDR,
		"-m", "comment", "--comment", "mini pod egress", "-j", "MASQUERADE"}
	if exec.Command("iptables", append([]string{"-w", "-t", "nat", "-C"}, rule...)...).Run() == nil {
		return nil
	}
	out, err := exec.Command("iptables", append([]string{"-w", "-t", "nat", "-A"}, rule...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("add pod masquerade rule: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
