package servicelb

import (
	"context"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/minictl/mini/images/node/internal/leader"
)

// TestRun drives the whole controller, leader election included, against a
// fake API: ingress follows nodes joining, becoming Ready and leaving, and
// is cleared when the Service stops being a LoadBalancer.
func TestRun(t *testing.T) {
	class := "example.com/other"
	foreign := service("foreign", corev1.ServiceTypeLoadBalancer)
	foreign.Spec.LoadBalancerClass = &class
	client := fake.NewClientset(
		node("s0", true, "172.18.0.2"),
		node("a0", false, "172.18.0.3"),
		service("web", corev1.ServiceTypeLoadBalancer),
		foreign,
	)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, client, 2) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Run did not return after its context was cancelled")
		}
	}()

	expect := func(step string, want ...string) {
		t.Helper()
		var got []string
		err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 10*time.Second, true, func(ctx context.Context) (bool, error) {
			got = statusIPs(t, client, "web")
			return slices.Equal(got, want), nil
		})
		if err != nil {
			t.Fatalf("%s: ingress %v, want %v", step, got, want)
		}
	}
	expect("start", "172.18.0.2")

	lease, err := client.CoordinationV1().Leases(leader.Namespace).Get(ctx, LeaseName, metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil || *lease.Spec.HolderIdentity == "" {
		t.Errorf("lease %s/%s not held: %v", leader.Namespace, LeaseName, err)
	}

	a0 := node("a0", true, "172.18.0.3")
	if _, err := client.CoreV1().Nodes().UpdateStatus(ctx, a0, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("agent Ready", "172.18.0.2", "172.18.0.3")

	if _, err := client.CoreV1().Nodes().Create(ctx, node("a1", true, "172.18.0.10"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("node joined", "172.18.0.2", "172.18.0.3", "172.18.0.10")

	if err := client.CoreV1().Nodes().Delete(ctx, "s0", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("node left", "172.18.0.3", "172.18.0.10")

	web, err := client.CoreV1().Services("default").Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	web.Spec.Type = corev1.ServiceTypeClusterIP
	if _, err := client.CoreV1().Services("default").Update(ctx, web, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	expect("no longer a LoadBalancer")

	if got := statusIPs(t, client, "foreign"); len(got) != 0 {
		t.Errorf("Service of another class got ingress %v", got)
	}
}
