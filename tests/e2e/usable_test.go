//go:build e2e

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestCreateThenUse runs what every CI script does, `mini cluster create
// && kubectl run …`, several times: the first request after create
// returns, with no retry, must be admitted (the default ServiceAccount
// exists), and the pod's first DNS lookup of a Service must answer
// (CoreDNS serves). Before --wait meant usable, the pod was refused for
// about five seconds after create returned.
func TestCreateThenUse(t *testing.T) {
	image := versions(t)["TESTAPP_IMAGE"]
	for i, args := range [][]string{nil, {"--agents", "1"}, nil} {
		e := newSandbox(t)
		name := uniqueName("use")
		e.createCluster(name, args...)
		cs := e.client(name)
		ctx := context.Background()
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "app"},
			Spec: corev1.PodSpec{Containers: []corev1.Container{testContainer(image, nil)}}}
		if _, err := cs.CoreV1().Pods("default").Create(ctx, pod, metav1.CreateOptions{}); err != nil {
			t.Fatalf("run %d: the first pod after create was refused: %v", i, err)
		}
		waitFor(t, ctx, "pod app Ready", 2*time.Minute, podRunning(cs, "default", "app"))
		got, err := proxyGet(ctx, cs, "default", "app", "/dns", map[string]string{"name": "kubernetes.default.svc.cluster.local"})
		if err != nil || !strings.Contains(got, ".") {
			t.Fatalf("run %d: the pod's first DNS lookup: %q, %v", i, got, err)
		}
		e.deleteCluster(name)
	}
}
