package servicelb

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	clienttesting "k8s.io/client-go/testing"
)

func service(name string, typ corev1.ServiceType, ingress ...string) *corev1.Service {
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name},
		Spec:       corev1.ServiceSpec{Type: typ, IPFamilies: []corev1.IPFamily{corev1.IPv4Protocol}},
	}
	for _, ip := range ingress {
		svc.Status.LoadBalancer.Ingress = append(svc.Status.LoadBalancer.Ingress, corev1.LoadBalancerIngress{IP: ip})
	}
	return svc
}

// newTestController returns a controller whose listers are filled directly
// (no informers running), so sync can be tested step by step.
func newTestController(t *testing.T, objs ...runtime.Object) (*controller, *fake.Clientset) {
	t.Helper()
	client := fake.NewClientset(objs...)
	factory := informers.NewSharedInformerFactory(client, 0)
	c, err := newController(client, factory)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		switch o := o.(type) {
		case *corev1.Service:
			_ = factory.Core().V1().Services().Informer().GetIndexer().Add(o)
		case *corev1.Node:
			_ = factory.Core().V1().Nodes().Informer().GetIndexer().Add(o)
		}
	}
	return c, client
}

func statusIPs(t *testing.T, client *fake.Clientset, name string) []string {
	t.Helper()
	svc, err := client.CoreV1().Services("default").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ingressIPs(svc.Status.LoadBalancer.Ingress)
}

func statusWrites(client *fake.Clientset) int {
	n := 0
	for _, a := range client.Actions() {
		if a.GetVerb() == "update" && a.GetSubresource() == "status" {
			n++
		}
	}
	return n
}

func TestSyncSetsReadyNodeIPs(t *testing.T) {
	c, client := newTestController(t,
		node("s0", true, "172.18.0.3"), node("s1", true, "172.18.0.2"), node("a0", false, "172.18.0.4"),
		service("web", corev1.ServiceTypeLoadBalancer))
	if err := c.sync(context.Background(), "default/web"); err != nil {
		t.Fatal(err)
	}
	if got, want := statusIPs(t, client, "web"), []string{"172.18.0.2", "172.18.0.3"}; !slices.Equal(got, want) {
		t.Errorf("ingress %v, want %v", got, want)
	}
	for _, a := range client.Actions() {
		if u, ok := a.(clienttesting.UpdateActionImpl); ok && u.UpdateOptions.FieldManager != fieldManager {
			t.Errorf("status written by field manager %q", u.UpdateOptions.FieldManager)
		}
	}
}

func TestSyncWritesOnlyOnChange(t *testing.T) {
	c, client := newTestController(t,
		node("s0", true, "172.18.0.2"), service("web", corev1.ServiceTypeLoadBalancer, "172.18.0.2"))
	if err := c.sync(context.Background(), "default/web"); err != nil {
		t.Fatal(err)
	}
	if n := statusWrites(client); n != 0 {
		t.Errorf("%d status writes for a Service already up to date", n)
	}
}

func TestSyncIgnoresOtherLoadBalancerClass(t *testing.T) {
	svc := service("metallb", corev1.ServiceTypeLoadBalancer, "192.0.2.1")
	class := "metallb.io/metallb"
	svc.Spec.LoadBalancerClass = &class
	c, client := newTestController(t, node("s0", true, "172.18.0.2"), svc)
	if err := c.sync(context.Background(), "default/metallb"); err != nil {
		t.Fatal(err)
	}
	if n := statusWrites(client); n != 0 {
		t.Errorf("touched a Service of another class (%d writes)", n)
	}
}

func TestSyncClearsFormerLoadBalancer(t *testing.T) {
	c, client := newTestController(t,
		node("s0", true, "172.18.0.2"), service("was-lb", corev1.ServiceTypeClusterIP, "172.18.0.2"))
	if err := c.sync(context.Background(), "default/was-lb"); err != nil {
		t.Fatal(err)
	}
	if got := statusIPs(t, client, "was-lb"); len(got) != 0 {
		t.Errorf("ingress %v left on a ClusterIP Service", got)
	}
}

func TestSyncWithoutReadyNodesClearsIngress(t *testing.T) {
	c, client := newTestController(t,
		node("s0", false, "172.18.0.2"), service("web", corev1.ServiceTypeLoadBalancer, "172.18.0.2"))
	if err := c.sync(context.Background(), "default/web"); err != nil {
		t.Fatal(err)
	}
	if got := statusIPs(t, client, "web"); len(got) != 0 {
		t.Errorf("ingress %v points at NotReady nodes", got)
	}
}

func TestSyncOfDeletedServiceIsNoop(t *testing.T) {
	c, client := newTestController(t, node("s0", true, "172.18.0.2"))
	if err := c.sync(context.Background(), "default/gone"); err != nil {
		t.Fatal(err)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("API called for a deleted Service: %v", client.Actions())
	}
}

func TestNodeEventsEnqueueOnlyRelevantServices(t *testing.T) {
	c, _ := newTestController(t,
		service("web", corev1.ServiceTypeLoadBalancer), service("api", corev1.ServiceTypeClusterIP))
	c.enqueueAll()
	if n := c.queue.Len(); n != 1 {
		t.Fatalf("queued %d Services, want only the LoadBalancer one", n)
	}
	key, _ := c.queue.Get()
	if key != "default/web" {
		t.Errorf("queued %q", key)
	}
	c.queue.Done(key)
}
