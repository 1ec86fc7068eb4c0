package addons

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
)

// testKinds are the kinds the manifests use, with their scope, as discovery
// would report them.
func testKinds() map[schema.GroupVersionKind]meta.RESTScope {
	return map[schema.GroupVersionKind]meta.RESTScope{
		{Version: "v1", Kind: "ServiceAccount"}:                                         meta.RESTScopeNamespace,
		{Version: "v1", Kind: "ConfigMap"}:                                              meta.RESTScopeNamespace,
		{Version: "v1", Kind: "Service"}:                                                meta.RESTScopeNamespace,
		{Group: "apps", Version: "v1", Kind: "Deployment"}:                              meta.RESTScopeNamespace,
		{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "Role"}:               meta.RESTScopeNamespace,
		{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "RoleBinding"}:        meta.RESTScopeNamespace,
		{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}:        meta.RESTScopeRoot,
		{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRoleBinding"}: meta.RESTScopeRoot,
		{Group: "storage.k8s.io", Version: "v1", Kind: "StorageClass"}:                  meta.RESTScopeRoot,
		{Group: "apiregistration.k8s.io", Version: "v1", Kind: "APIService"}:            meta.RESTScopeRoot,
		{Group: "networking.k8s.io", Version: "v1", Kind: "IngressClass"}:               meta.RESTScopeRoot,
	}
}

// fakeMapper is a static mapper whose hidden groups stay undiscovered until
// the first Reset, like an API group that registers after Deploy started.
type fakeMapper struct {
	mapper *meta.DefaultRESTMapper
	hidden map[string]bool
	resets int
}

func newFakeMapper(hidden ...string) *fakeMapper {
	m := &fakeMapper{mapper: meta.NewDefaultRESTMapper(nil), hidden: map[string]bool{}}
	for gvk, scope := range testKinds() {
		m.mapper.Add(gvk, scope)
	}
	for _, g := range hidden {
		m.hidden[g] = true
	}
	return m
}

func (m *fakeMapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	if m.hidden[gk.Group] {
		return nil, &meta.NoKindMatchError{GroupKind: gk, SearchedVersions: versions}
	}
	return m.mapper.RESTMapping(gk, versions...)
}

func (m *fakeMapper) Reset() {
	m.resets++
	m.hidden = map[string]bool{}
}

// newFakeClient returns a fake dynamic client holding objs. The stock fake
// applies only to existing objects, so a reactor gives apply its real
// create-or-update meaning.
func newFakeClient(objs ...runtime.Object) *dynamicfake.FakeDynamicClient {
	listKinds := map[schema.GroupVersionResource]string{}
	for gvk := range testKinds() {
		gvr, _ := meta.UnsafeGuessKindToResource(gvk)
		listKinds[gvr] = gvk.Kind + "List"
	}
	client := dynamicfake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds, objs...)
	tracker := client.Tracker()
	client.PrependReactor("patch", "*", func(action clienttesting.Action) (bool, runtime.Object, error) {
		patch, ok := action.(clienttesting.PatchActionImpl)
		if !ok || patch.GetPatchType() != types.ApplyPatchType {
			return false, nil, nil
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(patch.GetPatch()); err != nil {
			return true, nil, err
		}
		gvr, ns := patch.GetResource(), patch.GetNamespace()
		_, err := tracker.Get(gvr, ns, obj.GetName())
		switch {
		case apierrors.IsNotFound(err):
			err = tracker.Create(gvr, obj, ns)
		case err == nil:
			err = tracker.Update(gvr, obj, ns)
		}
		return true, obj, err
	})
	return client
}

func newTestDeployer(client *dynamicfake.FakeDynamicClient, mapper *fakeMapper) *deployer {
	return &deployer{
		client:  client,
		mapper:  mapper,
		log:     logr.Discard(),
		backoff: wait.Backoff{Duration: time.Millisecond, Factor: 2, Steps: 1000, Cap: 10 * time.Millisecond},
	}
}

// stored returns "Kind ns/name" of every object in the fake of the given kinds.
func stored(t *testing.T, client *dynamicfake.FakeDynamicClient) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for gvk := range testKinds() {
		gvr, _ := meta.UnsafeGuessKindToResource(gvk)
		list, err := client.Resource(gvr).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range list.Items {
			out[gvk.Kind+" "+objectName(&list.Items[i])] = true
		}
	}
	return out
}

func TestDeployAppliesEnabledAddons(t *testing.T) {
	client := newFakeClient()
	d := newTestDeployer(client, newFakeMapper())
	err := d.deploy(context.Background(), testValues(), map[string]bool{MetricsServer: true, Traefik: true})
	if err != nil {
		t.Fatal(err)
	}
	got := stored(t, client)
	for _, want := range []string{
		"Deployment kube-system/coredns", "Service kube-system/kube-dns", "ClusterRole system:coredns",
		"Deployment kube-system/local-path-provisioner", "StorageClass local-path",
	} {
		if !got[want] {
			t.Errorf("%s was not applied; have %v", want, got)
		}
	}
	for key := range got {
		if strings.Contains(key, "metrics") || strings.Contains(key, "traefik") {
			t.Errorf("disabled metrics-server or traefik applied %s", key)
		}
	}
	// Every write is a forced server-side apply by mini-node.
	for _, a := range client.Actions() {
		if a.GetVerb() != "patch" {
			continue
		}
		p := a.(clienttesting.PatchActionImpl)
		if p.GetPatchType() != types.ApplyPatchType || p.PatchOptions.FieldManager != FieldManager ||
			p.PatchOptions.Force == nil || !*p.PatchOptions.Force {
			t.Errorf("write %s %s is not a forced apply by %s: %s %+v", p.GetResource().Resource, p.GetName(), FieldManager, p.GetPatchType(), p.PatchOptions)
		}
	}

	// A second start applies the same objects again without error or drift.
	if err := d.deploy(context.Background(), testValues(), map[string]bool{MetricsServer: true, Traefik: true}); err != nil {
		t.Fatalf("second deploy: %v", err)
	}
	if again := stored(t, client); len(again) != len(got) {
		t.Errorf("second deploy changed the object count from %d to %d", len(got), len(again))
	}
}

// With nothing disabled, traefik comes up complete: everything an Ingress
// needs to be served and to get an address.
func TestDeployAppliesTraefik(t *testing.T) {
	client := newFakeClient()
	if err := newTestDeployer(client, newFakeMapper()).deploy(context.Background(), testValues(), nil); err != nil {
		t.Fatal(err)
	}
	got := stored(t, client)
	for _, want := range []string{
		"ServiceAccount kube-system/traefik", "ClusterRole traefik", "ClusterRoleBinding traefik",
		"IngressClass traefik", "Service kube-system/traefik", "Deployment kube-system/traefik",
	} {
		if !got[want] {
			t.Errorf("%s was not applied; have %v", want, got)
		}
	}
}

func labelled(kind, apiVersion, ns, name, addon string) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	u.SetNamespace(ns)
	u.SetName(name)
	if addon != "" {
		u.SetLabels(map[string]string{LabelAddon: addon})
	}
	return u
}

// An earlier start created CoreDNS and metrics-server; now both are
// disabled. Their labelled objects go, user objects and other add-ons stay.
func TestDeployDeletesDisabledAddons(t *testing.T) {
	client := newFakeClient(
		labelled("Deployment", "apps/v1", "kube-system", "coredns", CoreDNS),
		labelled("Service", "v1", "kube-system", "kube-dns", CoreDNS),
		labelled("ConfigMap", "v1", "kube-system", "coredns", CoreDNS),
		labelled("ClusterRole", "rbac.authorization.k8s.io/v1", "", "system:coredns", CoreDNS),
		// From an older manifest: another name, same label, so it goes too.
		labelled("ConfigMap", "v1", "kube-system", "coredns-custom", CoreDNS),
		labelled("APIService", "apiregistration.k8s.io/v1", "", "v1beta1.metrics.k8s.io", MetricsServer),
		labelled("Deployment", "apps/v1", "kube-system", "metrics-server", MetricsServer),
		// Not ours: no label, or in another namespace with no label.
		labelled("Deployment", "apps/v1", "kube-system", "user-dns", ""),
		labelled("ConfigMap", "v1", "default", "coredns", ""),
	)
	d := newTestDeployer(client, newFakeMapper())
	err := d.deploy(context.Background(), testValues(), map[string]bool{CoreDNS: true, MetricsServer: true})
	if err != nil {
		t.Fatal(err)
	}
	got := stored(t, client)
	for _, gone := range []string{
		"Deployment kube-system/coredns", "Service kube-system/kube-dns", "ConfigMap kube-system/coredns",
		"ClusterRole system:coredns", "ConfigMap kube-system/coredns-custom",
		"APIService v1beta1.metrics.k8s.io", "Deployment kube-system/metrics-server",
	} {
		if got[gone] {
			t.Errorf("%s of a disabled add-on was not deleted", gone)
		}
	}
	for _, kept := range []string{
		"Deployment kube-system/user-dns", "ConfigMap default/coredns", "Deployment kube-system/local-path-provisioner",
	} {
		if !got[kept] {
			t.Errorf("%s is gone, want it kept", kept)
		}
	}
	// Within metrics-server, the APIService goes before the Deployment
	// behind it (coredns' deletes, which come first, hold no APIService).
	var order []string
	for _, a := range client.Actions() {
		if a.GetVerb() == "delete" {
			order = append(order, a.GetResource().Resource)
		}
	}
	api := slices.Index(order, "apiservices")
	lastDeploy := -1
	for i, r := range order {
		if r == "deployments" {
			lastDeploy = i
		}
	}
	if api < 0 || api > lastDeploy {
		t.Errorf("APIService not deleted before metrics-server's Deployment: %v", order)
	}
}

// --disable traefik on a cluster that ran it: every traefik object goes,
// the cluster-scoped IngressClass and RBAC too, and the Deployment before
// the RBAC it runs with. A user's own IngressClass stays.
func TestDeployDeletesDisabledTraefik(t *testing.T) {
	client := newFakeClient(
		labelled("ServiceAccount", "v1", "kube-system", "traefik", Traefik),
		labelled("ClusterRole", "rbac.authorization.k8s.io/v1", "", "traefik", Traefik),
		labelled("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", "", "traefik", Traefik),
		labelled("IngressClass", "networking.k8s.io/v1", "", "traefik", Traefik),
		labelled("Service", "v1", "kube-system", "traefik", Traefik),
		labelled("Deployment", "apps/v1", "kube-system", "traefik", Traefik),
		labelled("IngressClass", "networking.k8s.io/v1", "", "nginx", ""),
	)
	d := newTestDeployer(client, newFakeMapper())
	if err := d.deploy(context.Background(), testValues(), map[string]bool{Traefik: true}); err != nil {
		t.Fatal(err)
	}
	got := stored(t, client)
	for key := range got {
		if strings.Contains(key, "traefik") {
			t.Errorf("%s of disabled traefik was not deleted", key)
		}
	}
	for _, kept := range []string{"IngressClass nginx", "Deployment kube-system/coredns"} {
		if !got[kept] {
			t.Errorf("%s is gone, want it kept", kept)
		}
	}
	var order []string
	for _, a := range client.Actions() {
		if a.GetVerb() == "delete" {
			order = append(order, a.GetResource().Resource)
		}
	}
	if dep, role := slices.Index(order, "deployments"), slices.Index(order, "clusterroles"); dep < 0 || role < 0 || dep > role {
		t.Errorf("traefik's Deployment not deleted before its ClusterRole: %v", order)
	}
}

func TestDeployWaitsForAPIGroupDiscovery(t *testing.T) {
	client := newFakeClient()
	mapper := newFakeMapper("apiregistration.k8s.io")
	if err := newTestDeployer(client, mapper).deploy(context.Background(), testValues(), nil); err != nil {
		t.Fatal(err)
	}
	if mapper.resets == 0 {
		t.Error("the mapper was never reset although a group was missing")
	}
	if !stored(t, client)["APIService v1beta1.metrics.k8s.io"] {
		t.Error("APIService not applied once its group was discovered")
	}
}

func TestDeployRetriesTransientErrors(t *testing.T) {
	client := newFakeClient()
	var failures atomic.Int32
	client.PrependReactor("patch", "*", func(clienttesting.Action) (bool, runtime.Object, error) {
		if failures.Add(1) <= 5 {
			return true, nil, apierrors.NewServiceUnavailable("starting")
		}
		return false, nil, nil
	})
	if err := newTestDeployer(client, newFakeMapper()).deploy(context.Background(), testValues(), nil); err != nil {
		t.Fatalf("transient 503s were not retried: %v", err)
	}
	if !stored(t, client)["Deployment kube-system/coredns"] {
		t.Error("coredns not applied after retries")
	}
}

func TestDeployGivesUpAtDeadline(t *testing.T) {
	client := newFakeClient()
	client.PrependReactor("patch", "*", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewServiceUnavailable("never ready")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := newTestDeployer(client, newFakeMapper()).deploy(ctx, testValues(), nil)
	if err == nil {
		t.Fatal("deploy succeeded against an API that never answers")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !apierrors.IsServiceUnavailable(err) {
		t.Errorf("error does not carry both the deadline and the last API error: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v to give up", time.Since(start))
	}
}

func TestDeployStopsOnPermanentError(t *testing.T) {
	client := newFakeClient()
	var calls atomic.Int32
	client.PrependReactor("patch", "*", func(a clienttesting.Action) (bool, runtime.Object, error) {
		calls.Add(1)
		return true, nil, apierrors.NewInvalid(schema.GroupKind{Kind: "ServiceAccount"}, "coredns", nil)
	})
	err := newTestDeployer(client, newFakeMapper()).deploy(context.Background(), testValues(), nil)
	if !apierrors.IsInvalid(err) {
		t.Fatalf("want the Invalid error, got %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("an invalid object was sent %d times, want once", calls.Load())
	}
}

func TestDeployRejectsUnknownAddon(t *testing.T) {
	client := newFakeClient()
	err := newTestDeployer(client, newFakeMapper()).deploy(context.Background(), testValues(), map[string]bool{"kube-dns": true})
	if err == nil || !strings.Contains(err.Error(), "valid names are") {
		t.Fatalf("want a validation error, got %v", err)
	}
	if len(client.Actions()) != 0 {
		t.Errorf("the API was called despite a bad --disable: %v", client.Actions())
	}
}
