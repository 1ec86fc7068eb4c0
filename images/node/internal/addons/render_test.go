package addons

import (
	"encoding/json"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func testValues() Values {
	return Values{
		ClusterDNS:    "10.43.0.10",
		ClusterDomain: "cluster.local",
		ClusterCIDR:   "10.42.0.0/16",
		ServiceCIDR:   "10.43.0.0/16",
		NodeIP:        "172.18.0.2",
	}
}

func mustRender(t *testing.T, name string, v Values) []*unstructured.Unstructured {
	t.Helper()
	v, err := v.withDefaults()
	if err != nil {
		t.Fatalf("values: %v", err)
	}
	objs, err := render(name, v)
	if err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	return objs
}

func find(t *testing.T, objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == kind && o.GetName() == name {
			return o
		}
	}
	t.Fatalf("no %s %q in manifest", kind, name)
	return nil
}

// Every embedded file is an add-on Deploy knows, and every such add-on has
// a file: a manifest can neither be forgotten nor be dead weight.
func TestEmbeddedFilesMatchNames(t *testing.T) {
	files, err := fs.Glob(manifests, "manifests/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, strings.TrimSuffix(strings.TrimPrefix(f, "manifests/"), ".yaml"))
	}
	want := slices.Sorted(slices.Values(manifestNames()))
	if !slices.Equal(got, want) {
		t.Fatalf("manifest files %v, want %v", got, want)
	}
}

func TestEveryManifestRendersLabelledObjects(t *testing.T) {
	for _, name := range manifestNames() {
		t.Run(name, func(t *testing.T) {
			objs := mustRender(t, name, testValues())
			if len(objs) == 0 {
				t.Fatal("no objects")
			}
			for _, o := range objs {
				if o.GetLabels()[LabelAddon] != name {
					t.Errorf("%s %s: label %s=%q, want %q", o.GetKind(), o.GetName(), LabelAddon, o.GetLabels()[LabelAddon], name)
				}
				if strings.Contains(mustJSON(t, o), "<no value>") {
					t.Errorf("%s %s: unrendered template value", o.GetKind(), o.GetName())
				}
				if o.GetKind() == "Deployment" {
					checkWorkload(t, name, o)
				}
			}
		})
	}
}

// checkWorkload asserts what lets an add-on run on a lone tainted server.
func checkWorkload(t *testing.T, addon string, o *unstructured.Unstructured) {
	t.Helper()
	tols, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "tolerations")
	var keys []string
	for _, tol := range tols {
		keys = append(keys, tol.(map[string]any)["key"].(string))
	}
	for _, want := range []string{"CriticalAddonsOnly", "node-role.kubernetes.io/control-plane"} {
		if !slices.Contains(keys, want) {
			t.Errorf("Deployment %s does not tolerate %s", o.GetName(), want)
		}
	}
	podLabels, _, _ := unstructured.NestedStringMap(o.Object, "spec", "template", "metadata", "labels")
	if podLabels[LabelAddon] != addon {
		t.Errorf("Deployment %s: pod template lacks %s=%s", o.GetName(), LabelAddon, addon)
	}
	for _, c := range containersOf(t, o) {
		if _, ok, _ := unstructured.NestedMap(c, "resources", "requests"); !ok {
			t.Errorf("Deployment %s: container %v has no resource requests", o.GetName(), c["name"])
		}
	}
}

func mustJSON(t *testing.T, o *unstructured.Unstructured) string {
	t.Helper()
	b, err := json.Marshal(o.Object)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCorefileServesClusterDomain(t *testing.T) {
	v := testValues()
	v.ClusterDomain = "mini.test"
	cm := find(t, mustRender(t, CoreDNS, v), "ConfigMap", "coredns")
	corefile, _, _ := unstructured.NestedString(cm.Object, "data", "Corefile")
	for _, want := range []string{
		"kubernetes mini.test in-addr.arpa ip6.arpa {",
		"pods insecure",
		"fallthrough in-addr.arpa ip6.arpa",
		"prometheus :9153",
		"forward . /etc/resolv.conf",
		"cache 30",
		"loop", "reload", "loadbalance", "ready", "health",
	} {
		if !strings.Contains(corefile, want) {
			t.Errorf("Corefile lacks %q:\n%s", want, corefile)
		}
	}
}

func TestDefaultClusterDomain(t *testing.T) {
	v := testValues()
	v.ClusterDomain = ""
	cm := find(t, mustRender(t, CoreDNS, v), "ConfigMap", "coredns")
	corefile, _, _ := unstructured.NestedString(cm.Object, "data", "Corefile")
	if !strings.Contains(corefile, "kubernetes cluster.local ") {
		t.Errorf("empty ClusterDomain did not default to cluster.local:\n%s", corefile)
	}
}

func TestKubeDNSService(t *testing.T) {
	v := testValues()
	v.ClusterDNS = "10.96.0.53"
	svc := find(t, mustRender(t, CoreDNS, v), "Service", "kube-dns")
	if ip, _, _ := unstructured.NestedString(svc.Object, "spec", "clusterIP"); ip != v.ClusterDNS {
		t.Errorf("kube-dns clusterIP %q, want %q", ip, v.ClusterDNS)
	}
	if svc.GetNamespace() != "kube-system" || svc.GetLabels()["k8s-app"] != "kube-dns" {
		t.Errorf("kube-dns: namespace %q labels %v", svc.GetNamespace(), svc.GetLabels())
	}
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	var got []string
	for _, p := range ports {
		m := p.(map[string]any)
		got = append(got, m["protocol"].(string)+"/"+jsonNumber(m["port"]))
	}
	want := []string{"UDP/53", "TCP/53", "TCP/9153"}
	if !slices.Equal(got, want) {
		t.Errorf("kube-dns ports %v, want %v", got, want)
	}
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestLocalStorage(t *testing.T) {
	v := testValues()
	v.StorageDir = "/srv/volumes"
	objs := mustRender(t, LocalStorage, v)

	cm := find(t, objs, "ConfigMap", "local-path-config")
	raw, _, _ := unstructured.NestedString(cm.Object, "data", "config.json")
	var cfg struct {
		NodePathMap []struct {
			Node  string   `json:"node"`
			Paths []string `json:"paths"`
		} `json:"nodePathMap"`
	}
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatalf("config.json is not JSON: %v\n%s", err, raw)
	}
	if len(cfg.NodePathMap) != 1 || !slices.Equal(cfg.NodePathMap[0].Paths, []string{"/srv/volumes"}) ||
		cfg.NodePathMap[0].Node != "DEFAULT_PATH_FOR_NON_LISTED_NODES" {
		t.Errorf("config.json does not store every node's volumes under the storage dir: %+v", cfg)
	}
	for _, key := range []string{"setup", "teardown"} {
		if s, _, _ := unstructured.NestedString(cm.Object, "data", key); !strings.HasPrefix(s, "#!/bin/sh\n") {
			t.Errorf("%s script is not a sh script:\n%s", key, s)
		}
	}

	sc := find(t, objs, "StorageClass", "local-path")
	if sc.GetAnnotations()["storageclass.kubernetes.io/is-default-class"] != "true" {
		t.Error("local-path is not the default StorageClass")
	}
	for field, want := range map[string]string{
		"provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer", "reclaimPolicy": "Delete",
	} {
		if got, _, _ := unstructured.NestedString(sc.Object, field); got != want {
			t.Errorf("StorageClass %s = %q, want %q", field, got, want)
		}
	}

	dep := find(t, objs, "Deployment", "local-path-provisioner")
	cmd := strings.Join(mustStrings(t, containersOf(t, dep)[0]["command"]), " ")
	if want := "--helper-image " + HelperImage; !strings.Contains(cmd, want) {
		t.Errorf("provisioner command lacks %q: %s", want, cmd)
	}
	if !strings.HasPrefix(cmd, "/local-path-provisioner --debug start --config /etc/config/config.json") {
		t.Errorf("provisioner command: %s", cmd)
	}
}

func mustStrings(t *testing.T, v any) []string {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("%v is not a list", v)
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s.(string)
	}
	return out
}

func TestMetricsServerAPIService(t *testing.T) {
	objs := mustRender(t, MetricsServer, testValues())
	api := find(t, objs, "APIService", "v1beta1.metrics.k8s.io")
	if skip, _, _ := unstructured.NestedBool(api.Object, "spec", "insecureSkipTLSVerify"); !skip {
		t.Error("APIService does not skip TLS verification of metrics-server's self-signed certificate")
	}
	for _, name := range []string{"system:aggregated-metrics-reader", "system:metrics-server"} {
		find(t, objs, "ClusterRole", name)
	}
	find(t, objs, "ClusterRoleBinding", "metrics-server:system:auth-delegator")
	find(t, objs, "RoleBinding", "metrics-server-auth-reader")
	find(t, objs, "Service", "metrics-server")
}

func TestValuesValidation(t *testing.T) {
	for name, v := range map[string]Values{
		"no cluster DNS":       {},
		"cluster DNS not IP":   {ClusterDNS: "kube-dns"},
		"domain breaks config": {ClusterDNS: "10.43.0.10", ClusterDomain: "a b"},
		"relative storage dir": {ClusterDNS: "10.43.0.10", StorageDir: "storage"},
	} {
		if _, err := v.withDefaults(); err == nil {
			t.Errorf("%s: accepted %+v", name, v)
		}
	}
}

func TestDecodeObjectsRejectsNonObjects(t *testing.T) {
	objs, err := decodeObjects(strings.NewReader("# only a comment\n---\n"))
	if err != nil || len(objs) != 0 {
		t.Errorf("empty documents: got %d objects, %v", len(objs), err)
	}
	if _, err := decodeObjects(strings.NewReader("apiVersion: v1\nkind: ConfigMap\n")); err == nil {
		t.Error("accepted an object without a name")
	}
	if _, err := decodeObjects(strings.NewReader("- a\n- b\n")); err == nil {
		t.Error("accepted a list as an object")
	}
}

func TestTraefik(t *testing.T) {
	objs := mustRender(t, Traefik, testValues())

	class := find(t, objs, "IngressClass", "traefik")
	if class.GetAnnotations()["ingressclass.kubernetes.io/is-default-class"] != "true" {
		t.Error("traefik is not the default IngressClass")
	}
	if c, _, _ := unstructured.NestedString(class.Object, "spec", "controller"); c != "traefik.io/ingress-controller" {
		t.Errorf("IngressClass controller %q", c)
	}

	// The Service servicelb gives the node IPs: 80 and 443 onto the
	// container's named ports.
	svc := find(t, objs, "Service", "traefik")
	if typ, _, _ := unstructured.NestedString(svc.Object, "spec", "type"); typ != "LoadBalancer" || svc.GetNamespace() != "kube-system" {
		t.Errorf("Service traefik: type %q in %q, want LoadBalancer in kube-system", typ, svc.GetNamespace())
	}
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	var got []string
	for _, p := range ports {
		m := p.(map[string]any)
		got = append(got, jsonNumber(m["port"])+"->"+m["targetPort"].(string))
	}
	if want := []string{"80->web", "443->websecure"}; !slices.Equal(got, want) {
		t.Errorf("Service ports %v, want %v", got, want)
	}

	dep := find(t, objs, "Deployment", "traefik")
	if r, _, _ := unstructured.NestedInt64(dep.Object, "spec", "replicas"); r != 1 {
		t.Errorf("replicas %d", r)
	}
	c := containersOf(t, dep)[0]
	if c["image"] != TraefikImage {
		t.Errorf("image %v, want %s", c["image"], TraefikImage)
	}
	args := mustStrings(t, c["args"])
	for _, want := range []string{
		"--entrypoints.web.address=:8000/tcp",
		"--entrypoints.websecure.address=:8443/tcp",
		"--providers.kubernetesingress=true",
		"--providers.kubernetesingress.ingressendpoint.publishedservice=kube-system/traefik",
		"--ping=true",
		"--log.level=INFO",
		"--global.checknewversion=false",
		"--global.sendanonymoususage=false",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("args lack %s: %v", want, args)
		}
	}
	named := map[string]string{}
	cports, _, _ := unstructured.NestedSlice(c, "ports")
	for _, p := range cports {
		m := p.(map[string]any)
		named[m["name"].(string)] = jsonNumber(m["containerPort"])
	}
	if named["web"] != "8000" || named["websecure"] != "8443" || named["traefik"] != "8080" {
		t.Errorf("container ports %v", named)
	}
	if !slices.Contains(args, "--entrypoints.traefik.address=:"+named["traefik"]+"/tcp") {
		t.Errorf("the traefik entrypoint is not on the probed port %s: %v", named["traefik"], args)
	}
	for _, probe := range []string{"readinessProbe", "livenessProbe"} {
		path, _, _ := unstructured.NestedString(c, probe, "httpGet", "path")
		port, _, _ := unstructured.NestedString(c, probe, "httpGet", "port")
		if path != "/ping" || port != "traefik" {
			t.Errorf("%s is %s on %s, want /ping on the traefik port", probe, path, port)
		}
	}
	if nonRoot, _, _ := unstructured.NestedBool(dep.Object, "spec", "template", "spec", "securityContext", "runAsNonRoot"); !nonRoot {
		t.Error("traefik may run as root")
	}
	if esc, ok, _ := unstructured.NestedBool(c, "securityContext", "allowPrivilegeEscalation"); !ok || esc {
		t.Error("traefik allows privilege escalation")
	}

	// RBAC covers what the Kubernetes Ingress provider reads and writes.
	role := find(t, objs, "ClusterRole", "traefik")
	rules, _, _ := unstructured.NestedSlice(role.Object, "rules")
	can := map[string]bool{}
	for _, r := range rules {
		m := r.(map[string]any)
		for _, res := range mustStrings(t, m["resources"]) {
			for _, verb := range mustStrings(t, m["verbs"]) {
				can[res+" "+verb] = true
			}
		}
	}
	for _, want := range []string{
		"services watch", "endpointslices watch", "secrets watch", "nodes watch",
		"ingresses watch", "ingressclasses watch", "ingresses/status update",
	} {
		if !can[want] {
			t.Errorf("ClusterRole traefik cannot %s", want)
		}
	}
	find(t, objs, "ClusterRoleBinding", "traefik")
	find(t, objs, "ServiceAccount", "traefik")
}

func TestCorefileAnswersNodeHosts(t *testing.T) {
	v := testValues()
	v.Hosts = []HostEntry{{IP: "172.17.0.1", Names: []string{"host.mini.internal"}}, {IP: "10.0.0.5", Names: []string{"db", "cache"}}}
	cm := find(t, mustRender(t, CoreDNS, v), "ConfigMap", "coredns")
	corefile, _, _ := unstructured.NestedString(cm.Object, "data", "Corefile")
	want := "hosts {\n        172.17.0.1 host.mini.internal\n        10.0.0.5 db cache\n        fallthrough\n    }\n    kubernetes"
	if !strings.Contains(corefile, want) {
		t.Errorf("Corefile lacks the hosts block:\n%s", corefile)
	}
	v.Hosts = nil
	cm = find(t, mustRender(t, CoreDNS, v), "ConfigMap", "coredns")
	if corefile, _, _ = unstructured.NestedString(cm.Object, "data", "Corefile"); strings.Contains(corefile, "hosts") {
		t.Errorf("Corefile has a hosts block without hosts:\n%s", corefile)
	}
	v.Hosts = []HostEntry{{IP: "nope", Names: []string{"x y"}}}
	if _, err := v.withDefaults(); err == nil || !strings.Contains(err.Error(), `"nope" is not an IP`) || !strings.Contains(err.Error(), `"x y"`) {
		t.Errorf("bad hosts accepted: %v", err)
	}
}
