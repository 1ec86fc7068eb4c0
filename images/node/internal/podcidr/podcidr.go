// Package podcidr gives every Node a pod subnet from the cluster CIDR the
// moment it registers.
//
// kube-controller-manager's node-ipam controller does the same job, but only
// once the controller-manager has started all its controllers — seconds
// after the first kubelet registers, and a node cannot become Ready without
// its pod subnet. Allocating in the server process, which is up before any
// kubelet, takes that wait off the critical path. Allocation is serial (one
// worker), so two nodes registering together never get the same subnet.
// With several servers only one may allocate; callers gate Run on leadership.
package podcidr

import (
	"context"
	"fmt"
	"math/big"
	"net"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// Allocator hands out /MaskLen subnets of ClusterCIDR.
type Allocator struct {
	ClusterCIDR *net.IPNet
	MaskLen     int
}

// Next returns the first subnet not in used.
func (a Allocator) Next(used map[string]bool) (string, error) {
	ones, bits := a.ClusterCIDR.Mask.Size()
	if a.MaskLen < ones || a.MaskLen > bits {
		return "", fmt.Errorf("node mask /%d does not fit cluster CIDR %s", a.MaskLen, a.ClusterCIDR)
	}
	base := new(big.Int).SetBytes(a.ClusterCIDR.IP.To16())
	step := new(big.Int).Lsh(big.NewInt(1), uint(bits-a.MaskLen))
	count := 1 << uint(a.MaskLen-ones)
	for i := 0; i < count; i++ {
		n := new(big.Int).Add(base, new(big.Int).Mul(step, big.NewInt(int64(i))))
		ip := net.IP(leftPad(n.Bytes(), 16))
		if a.ClusterCIDR.IP.To4() != nil {
			ip = ip.To4()
		}
		cidr := (&net.IPNet{IP: ip, Mask: net.CIDRMask(a.MaskLen, bits)}).String()
		if !used[cidr] {
			return cidr, nil
		}
	}
	return "", fmt.Errorf("cluster CIDR %s has no free /%d left", a.ClusterCIDR, a.MaskLen)
}

func leftPad(b []byte, n int) []byte {
	out := make([]byte, n)
	copy(out[n-len(b):], b)
	return out
}

// Run assigns subnets to Nodes without one until ctx ends.
func Run(ctx context.Context, client kubernetes.Interface, a Allocator) error {
	factory := informers.NewSharedInformerFactory(client, 0)
	inf := factory.Core().V1().Nodes().Informer()
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	defer queue.ShutDown()
	enqueue := func(obj any) {
		if n, ok := obj.(*corev1.Node); ok && n.Spec.PodCIDR == "" {
			queue.Add(n.Name)
		}
	}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{AddFunc: enqueue, UpdateFunc: func(_, o any) { enqueue(o) }}); err != nil {
		return fmt.Errorf("watch nodes: %w", err)
	}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return nil
	}
	// Subnets handed out but maybe not yet visible in the informer's cache.
	pending := map[string]string{}
	go func() { <-ctx.Done(); queue.ShutDown() }()
	for {
		name, quit := queue.Get()
		if quit {
			return nil
		}
		err := assign(ctx, client, inf.GetStore(), a, name, pending)
		if err != nil {
			klog.ErrorS(err, "Assigning pod CIDR", "node", name)
			queue.AddRateLimited(name)
		} else {
			queue.Forget(name)
		}
		queue.Done(name)
	}
}

func assign(ctx context.Context, client kubernetes.Interface, store cache.Store, a Allocator, name string, pending map[string]string) error {
	used := map[string]bool{}
	var self *corev1.Node
	for _, obj := range store.List() {
		n := obj.(*corev1.Node)
		for _, c := range n.Spec.PodCIDRs {
			used[c] = true
		}
		if n.Spec.PodCIDR != "" {
			used[n.Spec.PodCIDR] = true
			delete(pending, n.Name)
		}
		if n.Name == name {
			self = n
		}
	}
	if self == nil || self.Spec.PodCIDR != "" {
		return nil
	}
	for node, c := range pending {
		if node != name {
			used[c] = true
		}
	}
	cidr, ok := pending[name]
	if !ok {
		var err error
		if cidr, err = a.Next(used); err != nil {
			return err
		}
		pending[name] = cidr
	}
	patch := fmt.Sprintf(`{"spec":{"podCIDR":%q,"podCIDRs":[%q]}}`, cidr, cidr)
	if _, err := client.CoreV1().Nodes().Patch(ctx, name, types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{}); err != nil {
		return fmt.Errorf("patch node %s: %w", name, err)
	}
	klog.InfoS("Assigned pod CIDR", "node", name, "podCIDR", cidr)
	return nil
}
