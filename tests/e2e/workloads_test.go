//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// TestReachWorkloads proves the daily loop of a k3d user with real HTTP
// from the host: an Ingress (Traefik) behind `-p PORT:80@loadbalancer`, a
// LoadBalancer Service behind another mapped port, a NodePort range, the
// Docker host reached from a pod by name, a PVC surviving stop/start, and
// ports added and removed on the running cluster.
func TestReachWorkloads(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	e := newSandbox(t)
	name := uniqueName("e2e-reach")
	ingressPort, lbPort := freePort(t), freePort(t)
	rangeStart := freeRange(t, 2)
	e.createCluster(name, "--agents", "1",
		"-p", fmt.Sprintf("%d:80@loadbalancer", ingressPort),
		"-p", fmt.Sprintf("%d:8081@loadbalancer", lbPort),
		"-p", fmt.Sprintf("%d-%d:30080-30081", rangeStart, rangeStart+1))
	cs := e.client(name)
	v := versions(t)
	image := v["TESTAPP_IMAGE"]
	mustCreateTestApp(t, ctx, cs, image)
	waitFor(t, ctx, "web Available", 3*time.Minute, deploymentAvailable(cs, testNS, "web"))

	t.Run("ingress through the load balancer", func(t *testing.T) {
		mustCreateIngress(t, ctx, cs)
		waitHTTP(t, ctx, fmt.Sprintf("http://127.0.0.1:%d/", ingressPort), "hello from web-")
	})
	t.Run("LoadBalancer Service on another mapped port", func(t *testing.T) {
		mustCreateService(t, ctx, cs, "web-lb", corev1.ServiceTypeLoadBalancer, 8081, 0)
		waitHTTP(t, ctx, fmt.Sprintf("http://127.0.0.1:%d/", lbPort), "hello from web-")
	})
	t.Run("NodePort range", func(t *testing.T) {
		for i, nodePort := range []int32{30080, 30081} {
			mustCreateService(t, ctx, cs, "np"+strconv.Itoa(i), corev1.ServiceTypeNodePort, 80, nodePort)
			waitHTTP(t, ctx, fmt.Sprintf("http://127.0.0.1:%d/", rangeStart+i), "hello from web-")
		}
	})
	t.Run("host.mini.internal from a pod", func(t *testing.T) {
		ln, err := net.Listen("tcp", "0.0.0.0:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			io.WriteString(w, "hello from the host")
		})}
		go srv.Serve(ln)
		defer srv.Close()
		mustCreatePod(t, ctx, cs, "client", image, nil)
		waitFor(t, ctx, "client Running", 2*time.Minute, podRunning(cs, testNS, "client"))
		url := fmt.Sprintf("http://host.mini.internal:%d/", ln.Addr().(*net.TCPAddr).Port)
		var last string
		waitFor(t, ctx, "pod GET "+url, time.Minute, func(ctx context.Context) (bool, error) {
			body, err := proxyGet(ctx, cs, testNS, "client", "/get", map[string]string{"url": url})
			last = fmt.Sprint(body, err)
			return err == nil && body == "200\nhello from the host", nil
		})
		t.Logf("last answer: %s", last)
		if hosts := dockerT(t, "exec", "mini-"+name+"-agent-0", "cat", "/etc/hosts"); !strings.Contains(hosts, "host.mini.internal") {
			t.Errorf("agent's /etc/hosts lacks host.mini.internal:\n%s", hosts)
		}
	})
	t.Run("PVC survives stop and start", func(t *testing.T) {
		mustCreatePVCPod(t, ctx, cs, v["HELPER_IMAGE"])
		waitFor(t, ctx, "writer Running", 3*time.Minute, podRunning(cs, testNS, "writer"))
		e.mustMini("cluster", "stop", name)
		started := time.Now()
		e.mustMini("cluster", "start", name, "--wait")
		// The pod's status predates the stop until its kubelet reports again.
		waitFor(t, ctx, "writer restarted after start", 3*time.Minute, containerStartedSince(cs, testNS, "writer", started))
		cfg := e.restConfig(name)
		if got := mustExec(t, ctx, cs, cfg, "writer", "cat", "/data/file"); got != "persisted" {
			t.Fatalf("PVC content after stop/start = %q", got)
		}
		waitHTTP(t, ctx, fmt.Sprintf("http://127.0.0.1:%d/", ingressPort), "hello from web-")
	})
	t.Run("ports added and removed on the running cluster", func(t *testing.T) {
		// 8081 is the LoadBalancer Service's port: a second host port
		// shares the load balancer's forwarding of it.
		extra := freePort(t)
		spec := fmt.Sprintf("%d:8081@loadbalancer", extra)
		e.mustMini("cluster", "edit", name, "--port-add", spec)
		waitHTTP(t, ctx, fmt.Sprintf("http://127.0.0.1:%d/", extra), "hello from web-")
		waitHTTP(t, ctx, fmt.Sprintf("http://127.0.0.1:%d/", lbPort), "hello from web-")

		e.mustMini("cluster", "edit", name, "--port-delete", spec)
		if _, err := httpGet(ctx, fmt.Sprintf("http://127.0.0.1:%d/", extra)); err == nil {
			t.Errorf("port %d still answers after --port-delete", extra)
		}

		// A port taken on the host makes the edit fail and leaves the old
		// load balancer in place and working.
		taken, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		port := taken.Addr().(*net.TCPAddr).Port
		if _, _, err := e.mini("cluster", "edit", name, "--port-add", fmt.Sprintf("%d:8081", port)); err == nil {
			t.Fatalf("edit onto the taken port %d succeeded", port)
		}
		waitHTTP(t, ctx, fmt.Sprintf("http://127.0.0.1:%d/", lbPort), "hello from web-")
	})
}

// freePort returns a TCP port free on 127.0.0.1 right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// freeRange returns the first of n consecutive ports free on 127.0.0.1.
func freeRange(t *testing.T, n int) int {
	t.Helper()
	for base := 42000; base < 60000; base += n {
		ok := true
		for p := base; p < base+n && ok; p++ {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
			if err != nil {
				ok = false
				continue
			}
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range")
	return 0
}

// httpGet fetches url once, with a short timeout.
func httpGet(ctx context.Context, url string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return string(body), fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(body), err
}

// waitHTTP waits until url answers 200 with a body starting with prefix.
func waitHTTP(t *testing.T, ctx context.Context, url, prefix string) {
	t.Helper()
	start := time.Now()
	var last string
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		body, err := httpGet(ctx, url)
		last = fmt.Sprintf("%q, %v", body, err)
		return err == nil && strings.HasPrefix(body, prefix), nil
	})
	if err != nil {
		t.Fatalf("GET %s never answered %q: last %s", url, prefix, last)
	}
	t.Logf("GET %s answered after %s", url, time.Since(start).Round(100*time.Millisecond))
}

// mustCreateIngress routes every path of every host to the web Service.
func mustCreateIngress(t *testing.T, ctx context.Context, cs kubernetes.Interface) {
	t.Helper()
	prefix := networkingv1.PathTypePrefix
	_, err := cs.NetworkingV1().Ingresses(testNS).Create(ctx, &networkingv1.Ingress{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
				Path: "/", PathType: &prefix,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
					Name: "web", Port: networkingv1.ServiceBackendPort{Number: 80}}},
			}}},
		}}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// mustCreateService exposes the web pods as a Service of the given type.
func mustCreateService(t *testing.T, ctx context.Context, cs kubernetes.Interface, name string, typ corev1.ServiceType, port, nodePort int32) {
	t.Helper()
	_, err := cs.CoreV1().Services(testNS).Create(ctx, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.ServiceSpec{Type: typ, Selector: map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{{Port: port, NodePort: nodePort, TargetPort: intstr.FromInt32(8080)}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// containerStartedSince reports whether the pod's first container runs,
// started after since.
func containerStartedSince(cs kubernetes.Interface, ns, pod string, since time.Time) func(context.Context) (bool, error) {
	return func(ctx context.Context) (bool, error) {
		p, err := cs.CoreV1().Pods(ns).Get(ctx, pod, metav1.GetOptions{})
		if err != nil || len(p.Status.ContainerStatuses) == 0 {
			return false, nil
		}
		r := p.Status.ContainerStatuses[0].State.Running
		return r != nil && !r.StartedAt.Time.Before(since.Truncate(time.Second)), nil
	}
}
