package server

import (
	"context"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"
)

// TestEtcdMemberControllerRemovesDeletedServers: deleting a Node removes
// the etcd member of that name; this server's own Node is left alone.
func TestEtcdMemberControllerRemovesDeletedServers(t *testing.T) {
	nodes := []string{"s0", "s1", "a0"}
	cs := fake.NewClientset()
	for _, n := range nodes {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n},
			Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0." + n[1:]}}}}
		if _, err := cs.CoreV1().Nodes().Create(context.Background(), node, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var removed []string
	remove := func(_ context.Context, name, ip string) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		removed = append(removed, name+"/"+ip)
		return true, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runEtcdMemberController(ctx, cs, "s0", remove) }()
	// Delete only once the informer watches, as on a running server.
	err := wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 5*time.Second, true, func(context.Context) (bool, error) {
		for _, a := range cs.Actions() {
			if a.GetVerb() == "watch" && a.GetResource().Resource == "nodes" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatal("the controller never watched nodes")
	}
	for _, n := range []string{"s1", "s0"} {
		if err := cs.CoreV1().Nodes().Delete(ctx, n, metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 5*time.Second, true, func(context.Context) (bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return len(removed) > 0, nil
	})
	if err != nil {
		t.Fatal("no member removed")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	// The address goes along: it finds a member whose join never finished.
	if len(removed) != 1 || removed[0] != "s1/10.0.0.1" {
		t.Fatalf("removed %v, want [s1/10.0.0.1] (never the server itself)", removed)
	}
}
