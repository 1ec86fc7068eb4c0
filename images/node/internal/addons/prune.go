package addons

import (
	"context"
	"errors"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// pruneTasks returns one task per kind in a disabled add-on's manifest that
// deletes every object of that kind labelled with the add-on's name, in any
// namespace. The rendered manifest only tells which kinds to look at: the
// label, not the object names, decides what goes, so objects a previous
// version of the manifest created are removed too as long as their kind is
// still listed.
//
// Kinds are visited in reverse manifest order, so the APIService goes before
// the Service behind it (the aggregator then never routes to a dead
// backend) and workloads go before the RBAC they run with.
func (d *deployer) pruneTasks(addon string, objs []*unstructured.Unstructured) []task {
	var kinds []schema.GroupVersionKind
	for _, obj := range objs {
		if gvk := obj.GroupVersionKind(); !slices.Contains(kinds, gvk) {
			kinds = append(kinds, gvk)
		}
	}
	slices.Reverse(kinds)
	selector := labels.SelectorFromSet(labels.Set{LabelAddon: addon}).String()
	tasks := make([]task, 0, len(kinds))
	for _, gvk := range kinds {
		tasks = append(tasks, task{
			desc: fmt.Sprintf("delete %s objects of disabled add-on %q", gvk.Kind, addon),
			run: func(ctx context.Context) error {
				return d.deleteLabelled(ctx, gvk, selector)
			},
		})
	}
	return tasks
}

func (d *deployer) deleteLabelled(ctx context.Context, gvk schema.GroupVersionKind, selector string) error {
	mapping, err := d.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		// The API does not serve this kind, so no object of it can exist.
		return nil
	}
	if err != nil {
		return &mappingError{gvk: gvk, err: err}
	}
	// No namespace: list across all of them, for namespaced kinds too.
	list, err := d.client.Resource(mapping.Resource).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return fmt.Errorf("list %s with %s: %w", mapping.Resource.Resource, selector, err)
	}
	// Background propagation: the garbage collector removes dependents (a
	// Deployment's ReplicaSets and pods) without Deploy waiting for them.
	policy := metav1.DeletePropagationBackground
	var errs []error
	for _, item := range list.Items {
		var target dynamic.ResourceInterface = d.client.Resource(mapping.Resource)
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			target = d.client.Resource(mapping.Resource).Namespace(item.GetNamespace())
		}
		err := target.Delete(ctx, item.GetName(), metav1.DeleteOptions{PropagationPolicy: &policy})
		if err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("delete %s %s: %w", gvk.Kind, objectName(&item), err))
			continue
		}
		if err == nil {
			d.log.Info("deleted object of disabled add-on", "kind", gvk.Kind, "name", objectName(&item))
		}
	}
	return errors.Join(errs...)
}
