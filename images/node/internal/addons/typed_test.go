package addons

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	apiregistrationv1 "k8s.io/kube-aggregator/pkg/apis/apiregistration/v1"
)

// TestManifestsDecodeStrictly converts every object into its Go API type
// with unknown fields rejected, so a misspelt or misplaced field fails here
// instead of being dropped (or refused) by a live API server.
func TestManifestsDecodeStrictly(t *testing.T) {
	s := runtime.NewScheme()
	if err := scheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := apiregistrationv1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	for _, name := range manifestNames() {
		for _, obj := range mustRender(t, name, testValues()) {
			typed, err := s.New(obj.GroupVersionKind())
			if err != nil {
				t.Errorf("%s: unknown kind %s: %v", name, obj.GroupVersionKind(), err)
				continue
			}
			if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(obj.Object, typed, true); err != nil {
				t.Errorf("%s: %s %s: %v", name, obj.GetKind(), obj.GetName(), err)
			}
		}
	}
	// The helper pod template is decoded by the provisioner into a Pod.
	cm := find(t, mustRender(t, LocalStorage, testValues()), "ConfigMap", "local-path-config")
	raw := cm.Object["data"].(map[string]any)["helperPod.yaml"].(string)
	pods, err := decodeObjects(strings.NewReader(raw))
	if err != nil || len(pods) != 1 {
		t.Fatalf("helperPod.yaml: %d objects, %v", len(pods), err)
	}
	typed, _ := s.New(pods[0].GroupVersionKind())
	if err := runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation(pods[0].Object, typed, true); err != nil {
		t.Errorf("helperPod.yaml: %v", err)
	}
}
