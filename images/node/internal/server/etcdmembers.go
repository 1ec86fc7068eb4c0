package server

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/datastore"
)

// memberRemover is the part of etcd the controller needs: remove the
// member of the node called name with InternalIP ip.
type memberRemover func(ctx context.Context, name, ip string) (bool, error)

// runEtcdMemberController removes a server's etcd member when its Node is
// deleted (`mini node delete`, `kubectl delete node`), so a removed server
// does not linger as a member that counts against quorum. Every etcd
// server runs it, not just a leader: removal is idempotent, and the server
// being deleted may well be the one that led. Members are matched by name,
// which is the node name. A node's own deletion is left to the others.
func runEtcdMemberController(ctx context.Context, cs kubernetes.Interface, self string, remove memberRemover) error {
	factory := informers.NewSharedInformerFactory(cs, 0)
	inf := factory.Core().V1().Nodes().Informer()
	// The queue carries name and address: the Node object is gone by the
	// time a retry runs.
	type key struct{ name, ip string }
	queue := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[key]())
	defer queue.ShutDown()
	_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{DeleteFunc: func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		if n, ok := obj.(*corev1.Node); ok && n.Name != self {
			k := key{name: n.Name}
			for _, a := range n.Status.Addresses {
				if a.Type == corev1.NodeInternalIP {
					k.ip = a.Address
				}
			}
			queue.Add(k)
		}
	}})
	if err != nil {
		return fmt.Errorf("watch nodes: %w", err)
	}
	factory.Start(ctx.Done())
	defer factory.Shutdown()
	go func() {
		<-ctx.Done()
		queue.ShutDown()
	}()
	for {
		k, quit := queue.Get()
		if quit {
			return nil
		}
		name := k.name
		removed, err := remove(ctx, k.name, k.ip)
		switch {
		case err != nil && queue.NumRequeues(k) < 10:
			klog.ErrorS(err, "Removing etcd member of a deleted node; will retry", "node", name)
			queue.AddRateLimited(k)
		case err != nil:
			klog.ErrorS(err, "Giving up removing etcd member of a deleted node", "node", name)
			queue.Forget(k)
		default:
			if removed {
				klog.InfoS("Removed etcd member of deleted node", "node", name)
			}
			queue.Forget(k)
		}
		queue.Done(k)
	}
}

// localMemberRemover removes members through this server's own etcd.
func localMemberRemover(t *TLS) (memberRemover, func(), error) {
	c, err := t.etcdClient(datastore.LocalEndpoint)
	if err != nil {
		return nil, nil, err
	}
	return func(ctx context.Context, name, ip string) (bool, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		return datastore.RemoveMember(ctx, c, name, ip)
	}, func() { c.Close() }, nil
}
