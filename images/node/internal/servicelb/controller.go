package servicelb

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
)

// fieldManager names this controller in the Services' managedFields.
const fieldManager = "mini-servicelb"

// controller keeps status.loadBalancer.ingress of Services in line with the
// Ready nodes. Work items are Service keys (namespace/name); a node change
// enqueues every Service that has or needs an ingress.
type controller struct {
	client   kubernetes.Interface
	services corelisters.ServiceLister
	nodes    corelisters.NodeLister
	synced   []cache.InformerSynced
	queue    workqueue.TypedRateLimitingInterface[string]
}

func newController(client kubernetes.Interface, factory informers.SharedInformerFactory) (*controller, error) {
	svcInformer := factory.Core().V1().Services()
	nodeInformer := factory.Core().V1().Nodes()
	c := &controller{
		client:   client,
		services: svcInformer.Lister(),
		nodes:    nodeInformer.Lister(),
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.DefaultTypedControllerRateLimiter[string](),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "servicelb"}),
	}
	svcReg, err := svcInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(obj any) { c.enqueueService(obj) },
		UpdateFunc: func(old, cur any) {
			// The old object matters when a Service just stopped needing us
			// (type changed away from LoadBalancer while it had ingress).
			c.enqueueService(old)
			c.enqueueService(cur)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("watch services: %w", err)
	}
	nodeReg, err := nodeInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) { c.enqueueAll() },
		UpdateFunc: func(old, cur any) {
			o, ok1 := old.(*corev1.Node)
			n, ok2 := cur.(*corev1.Node)
			// Node status heartbeats update nodes every few seconds; only a
			// change of readiness or address is worth a pass.
			if !ok1 || !ok2 || nodeChanged(o, n) {
				c.enqueueAll()
			}
		},
		DeleteFunc: func(any) { c.enqueueAll() },
	})
	if err != nil {
		return nil, fmt.Errorf("watch nodes: %w", err)
	}
	c.synced = []cache.InformerSynced{svcReg.HasSynced, nodeReg.HasSynced}
	return c, nil
}

func (c *controller) enqueueService(obj any) {
	svc, ok := obj.(*corev1.Service)
	if !ok || !needsSync(svc) {
		return
	}
	key, err := cache.MetaNamespaceKeyFunc(svc)
	if err != nil {
		utilruntime.HandleError(fmt.Errorf("servicelb: key for service: %w", err))
		return
	}
	c.queue.Add(key)
}

// enqueueAll queues every Service whose ingress depends on the node set.
// The queue deduplicates, so a burst of node events costs one sync each.
func (c *controller) enqueueAll() {
	svcs, err := c.services.List(labels.Everything())
	if err != nil {
		utilruntime.HandleError(fmt.Errorf("servicelb: list services: %w", err))
		return
	}
	for _, svc := range svcs {
		c.enqueueService(svc)
	}
}

// run starts the informers and workers and blocks until ctx is done.
func (c *controller) run(ctx context.Context, factory informers.SharedInformerFactory, workers int) {
	defer utilruntime.HandleCrashWithContext(ctx)
	defer c.queue.ShutDown()
	logger := klog.FromContext(ctx)

	factory.Start(ctx.Done())
	defer factory.Shutdown()
	if !cache.WaitForNamedCacheSyncWithContext(ctx, c.synced...) {
		return // ctx ended first
	}
	logger.Info("servicelb controller started", "workers", workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { wait.UntilWithContext(ctx, c.worker, time.Second) })
	}
	<-ctx.Done()
	logger.Info("servicelb controller stopping")
	// Wait for the workers so that a later term never overlaps this one.
	c.queue.ShutDown()
	wg.Wait()
}

func (c *controller) worker(ctx context.Context) {
	for c.processNext(ctx) {
	}
}

func (c *controller) processNext(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	if err := c.sync(ctx, key); err != nil {
		// Conflicts and API hiccups: try again later with backoff.
		klog.FromContext(ctx).V(2).Info("servicelb sync failed, requeued", "service", key, "err", err)
		c.queue.AddRateLimited(key)
		return true
	}
	c.queue.Forget(key)
	return true
}

// sync makes one Service's ingress match the Ready nodes (or clears it).
func (c *controller) sync(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // not a key we queued; retrying cannot fix it
	}
	svc, err := c.services.Services(ns).Get(name)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get service %s: %w", key, err)
	}
	if !managed(svc) {
		return nil
	}
	var want []corev1.LoadBalancerIngress
	if svc.Spec.Type == corev1.ServiceTypeLoadBalancer {
		nodes, err := c.nodes.List(labels.Everything())
		if err != nil {
			return fmt.Errorf("list nodes: %w", err)
		}
		want = desiredIngress(svc, readyNodeIPs(nodes))
	}
	if ingressEqual(svc.Status.LoadBalancer.Ingress, want) {
		return nil
	}
	updated := svc.DeepCopy()
	updated.Status.LoadBalancer.Ingress = want
	_, err = c.client.CoreV1().Services(ns).UpdateStatus(ctx, updated, metav1.UpdateOptions{FieldManager: fieldManager})
	if apierrors.IsNotFound(err) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return fmt.Errorf("update status of service %s: %w", key, err)
	}
	klog.FromContext(ctx).Info("service load balancer ingress updated", "service", key, "ingress", ingressIPs(want))
	return nil
}

func ingressIPs(in []corev1.LoadBalancerIngress) []string {
	out := make([]string, len(in))
	for i, x := range in {
		out[i] = x.IP
	}
	return out
}
