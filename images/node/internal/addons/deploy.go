package addons

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// restMapper is the part of a discovery-backed RESTMapper Deploy needs;
// Reset drops cached discovery so a group that appeared later (an APIService
// or a CRD) is found on the next try.
type restMapper interface {
	RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error)
	Reset()
}

// deployer applies and deletes add-on objects. It exists so tests can run
// the same logic against a fake dynamic client and a static mapper.
type deployer struct {
	client  dynamic.Interface
	mapper  restMapper
	log     logr.Logger
	backoff wait.Backoff
}

// task is one idempotent API operation; a failed task is retried as a whole.
type task struct {
	desc string
	run  func(ctx context.Context) error
}

// Deploy renders every add-on that is not disabled and applies its objects
// with server-side apply (field manager FieldManager, forced, so mini-node
// stays the owner of the fields it sets even if someone edited them), and
// deletes the objects of every disabled add-on that an earlier start
// created, found by LabelAddon. Namespaced objects without a namespace go to
// DefaultNamespace.
//
// Keys of disabled must be names from Names(); only keys set to true
// disable. Deploy retries transient failures (API server not ready, group
// not yet discovered, admission not yet synced) with capped exponential
// backoff until ctx ends. It sets no deadline of its own: on a slow host a
// server that gave up on its add-ons would run without CoreDNS for good
// (package await says more).
func Deploy(ctx context.Context, cfg *rest.Config, v Values, disabled map[string]bool, log logr.Logger) error {
	cfg = rest.CopyConfig(cfg)
	cfg = rest.AddUserAgent(cfg, "mini-node/addons")
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("create dynamic client for add-ons: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return fmt.Errorf("create discovery client for add-ons: %w", err)
	}
	d := &deployer{
		client:  client,
		mapper:  restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc)),
		log:     log,
		backoff: defaultBackoff(),
	}
	return d.deploy(ctx, v, disabled)
}

// defaultBackoff starts fast, because the usual wait is a second or two for
// the API server, and caps at 5s so a long wait still reacts quickly.
func defaultBackoff() wait.Backoff {
	return wait.Backoff{
		Duration: 250 * time.Millisecond,
		Factor:   2,
		Jitter:   0.1,
		Steps:    math.MaxInt32,
		Cap:      5 * time.Second,
	}
}

func (d *deployer) deploy(ctx context.Context, v Values, disabled map[string]bool) error {
	off, err := disabledNames(disabled)
	if err != nil {
		return err
	}
	v, err = v.withDefaults()
	if err != nil {
		return err
	}
	// Render everything before touching the cluster: a broken template must
	// not leave a half-applied set of add-ons behind.
	var tasks []task
	var applied, removed []string
	for _, name := range manifestNames() {
		objs, err := render(name, v)
		if err != nil {
			return err
		}
		if disabled[name] {
			tasks = append(tasks, d.pruneTasks(name, objs)...)
			removed = append(removed, name)
			continue
		}
		for _, obj := range objs {
			tasks = append(tasks, d.applyTask(obj))
		}
		applied = append(applied, name)
	}
	if err := d.runTasks(ctx, tasks); err != nil {
		return fmt.Errorf("deploy add-ons: %w", err)
	}
	d.log.Info("add-ons in place", "applied", applied, "removed", removed, "disabled", off)
	return nil
}

// runTasks runs every task, then retries the ones that failed transiently,
// all of them each round, so one object waiting for its API group does not
// hold the others back.
func (d *deployer) runTasks(ctx context.Context, tasks []task) error {
	backoff := d.backoff
	var errs []error // the transient failures of the last round
	for attempt := 1; ; attempt++ {
		var pending []task
		var failed []error
		reset := false
		for _, t := range tasks {
			err := t.run(ctx)
			if err == nil {
				continue
			}
			if ctx.Err() != nil {
				// The deadline hit mid-request: report what kept us waiting
				// rather than only "context deadline exceeded".
				return giveUp(ctx, attempt, len(tasks), append(errs, err))
			}
			err = fmt.Errorf("%s: %w", t.desc, err)
			if !retryable(err) {
				return err
			}
			var me *mappingError
			if errors.As(err, &me) {
				reset = true
			}
			pending = append(pending, t)
			failed = append(failed, err)
		}
		if len(pending) == 0 {
			return nil
		}
		errs = failed
		if reset {
			d.mapper.Reset()
		}
		delay := backoff.Step()
		d.log.V(1).Info("add-on objects not in place yet, retrying",
			"attempt", attempt, "pending", len(pending), "delay", delay, "error", errs[0])
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return giveUp(ctx, attempt, len(pending), errs)
		case <-timer.C:
		}
		tasks = pending
	}
}

func giveUp(ctx context.Context, attempts, pending int, errs []error) error {
	return fmt.Errorf("gave up after %d attempts with %d operations pending (is the API server up?): %w",
		attempts, pending, errors.Join(append([]error{ctx.Err()}, errs...)...))
}

// retryable tells the failures that go away on their own during a server's
// start (connection refused, 503, 429, an unknown kind before discovery
// catches up, "forbidden: not yet ready to handle request" from admission
// plugins whose informers have not synced) from those that never will.
// Anything unknown is retried: the deadline bounds it and the last error is
// reported.
func retryable(err error) bool {
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case apierrors.IsInvalid(err), apierrors.IsBadRequest(err),
		apierrors.IsMethodNotSupported(err), apierrors.IsNotAcceptable(err),
		apierrors.IsUnsupportedMediaType(err), apierrors.IsRequestEntityTooLargeError(err):
		return false
	}
	return true
}

// resourceFor maps an object's kind to a resource client, defaulting the
// namespace of namespaced objects and clearing it on cluster-scoped ones.
func (d *deployer) resourceFor(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	mapping, err := d.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, &mappingError{gvk: gvk, err: err}
	}
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		obj.SetNamespace("")
		return d.client.Resource(mapping.Resource), nil
	}
	if obj.GetNamespace() == "" {
		obj.SetNamespace(DefaultNamespace)
	}
	return d.client.Resource(mapping.Resource).Namespace(obj.GetNamespace()), nil
}

// mappingError marks a failed kind-to-resource lookup (kind not served yet,
// or discovery failed), after which cached discovery must be refreshed.
type mappingError struct {
	gvk schema.GroupVersionKind
	err error
}

func (e *mappingError) Error() string {
	return fmt.Sprintf("find resource for %s: %v", e.gvk, e.err)
}

func (e *mappingError) Unwrap() error { return e.err }

func (d *deployer) applyTask(obj *unstructured.Unstructured) task {
	return task{
		desc: fmt.Sprintf("apply %s %s", obj.GetKind(), objectName(obj)),
		run: func(ctx context.Context) error {
			obj := obj.DeepCopy()
			ri, err := d.resourceFor(obj)
			if err != nil {
				return err
			}
			_, err = ri.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true})
			return err
		},
	}
}

func objectName(obj *unstructured.Unstructured) string {
	if ns := obj.GetNamespace(); ns != "" {
		return ns + "/" + obj.GetName()
	}
	return obj.GetName()
}
