package podcidr

import (
	"context"
	"net"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"
)

func alloc(t *testing.T, cidr string, mask int) Allocator {
	t.Helper()
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		t.Fatal(err)
	}
	return Allocator{ClusterCIDR: n, MaskLen: mask}
}

func TestNext(t *testing.T) {
	a := alloc(t, "10.42.0.0/16", 24)
	got, err := a.Next(map[string]bool{"10.42.0.0/24": true, "10.42.2.0/24": true})
	if err != nil || got != "10.42.1.0/24" {
		t.Fatalf("got %s, %v", got, err)
	}
	full := alloc(t, "10.42.0.0/23", 24)
	if _, err := full.Next(map[string]bool{"10.42.0.0/24": true, "10.42.1.0/24": true}); err == nil {
		t.Fatal("exhausted range not reported")
	}
	if _, err := alloc(t, "10.42.0.0/25", 24).Next(nil); err == nil {
		t.Fatal("mask larger than range accepted")
	}
}

func TestRunAssignsDistinctSubnets(t *testing.T) {
	cs := fake.NewSimpleClientset(
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "old"}, Spec: corev1.NodeSpec{PodCIDR: "10.42.0.0/24", PodCIDRs: []string{"10.42.0.0/24"}}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "a"}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "b"}},
	)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { _ = Run(ctx, cs, alloc(t, "10.42.0.0/16", 24)) }()
	seen := map[string]string{}
	err := wait.PollUntilContextCancel(ctx, 20*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		for _, n := range []string{"a", "b"} {
			node, err := cs.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{})
			if err != nil || node.Spec.PodCIDR == "" {
				return false, nil
			}
			seen[n] = node.Spec.PodCIDR
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("not assigned: %v", err)
	}
	if seen["a"] == seen["b"] || seen["a"] == "10.42.0.0/24" || seen["b"] == "10.42.0.0/24" {
		t.Fatalf("overlapping subnets: %v", seen)
	}
}
