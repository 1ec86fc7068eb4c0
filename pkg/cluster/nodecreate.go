package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/minictl/mini/pkg/runtime"
)

// CreateNodes adds nodes to a running cluster. Everything is checked
// before the first object is created; after that, any error or Ctrl-C
// removes what was made, through the same path as `mini node delete`, so
// a server that already joined etcd also leaves it.
func (p *Provider) CreateNodes(ctx context.Context, o NodeCreateOptions) error {
	mem, err := o.parse()
	if err != nil {
		return err
	}
	cl, nodes, err := p.planNodes(ctx, o, mem)
	if err != nil {
		return err
	}
	// New nodes pull through the same registries as the others.
	files, err := p.nodeRegistriesFile(ctx, cl)
	if err != nil {
		return err
	}
	for i := range nodes {
		nodes[i].Files = files
	}
	if o.Role == RoleServer {
		if w := serverCountWarning(len(cl.Servers) + o.Replicas); w != "" {
			p.log.Warnf("cluster %s: %s", cl.Name, w)
		}
	}
	var made madeObjects
	start := time.Now()
	err = p.runSteps(ctx, p.nodeCreateSteps(cl, nodes, o, &made))
	if err == nil {
		p.log.Infof("Added %d %s node(s) to cluster %s in %s", len(nodes), o.Role, cl.Name, time.Since(start).Round(100*time.Millisecond))
		return nil
	}
	err = p.failed(ctx, err, "adding nodes to cluster "+cl.Name, cl.Name)
	p.log.Warnf("rolling back the nodes added to cluster %s", cl.Name)
	return p.undo(ctx, err, func(ctx context.Context) error { return p.rollbackNodes(ctx, cl.Name, &made) })
}

// madeObjects records what a node create made, for its rollback.
type madeObjects struct {
	mu         sync.Mutex
	containers []string
	volumes    []string
}

func (m *madeObjects) add(container, volume string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if container != "" {
		m.containers = append(m.containers, container)
	}
	if volume != "" {
		m.volumes = append(m.volumes, volume)
	}
}

func (p *Provider) nodeCreateSteps(cl Cluster, nodes []plannedNode, o NodeCreateOptions, made *madeObjects) []step {
	var deadline time.Time
	within := func(ctx context.Context) (context.Context, context.CancelFunc) {
		if deadline.IsZero() {
			if o.Timeout <= 0 {
				return context.WithCancel(ctx)
			}
			deadline = time.Now().Add(o.Timeout)
		}
		return context.WithDeadline(ctx, deadline)
	}
	create := func(ctx context.Context, n plannedNode) error {
		if _, err := p.rt.CreateContainer(ctx, n.Spec); err != nil {
			return err
		}
		made.add(n.Spec.Name, "")
		if err := p.copyNodeFiles(ctx, n.Spec.Name, n.Files); err != nil {
			return err
		}
		return p.rt.StartContainer(ctx, n.Spec.Name)
	}
	steps := []step{{fmt.Sprintf("Creating %d node volume(s)", len(nodes)), func(ctx context.Context) error {
		for _, n := range nodes {
			if err := p.rt.CreateVolume(ctx, runtime.VolumeSpec{Name: n.Volume, Labels: n.Spec.Labels}); err != nil {
				return err
			}
			made.add("", n.Volume)
		}
		return nil
	}}}
	if o.Role == RoleAgent {
		steps = append(steps, step{fmt.Sprintf("Starting %d agent(s)", len(nodes)), func(ctx context.Context) error {
			return parallel(nodes, func(n plannedNode) error { return create(ctx, n) })
		}})
	} else {
		// Servers join one at a time, each a started etcd member before the
		// next: etcd refuses to add a member while another added one has not
		// started, as that could cost it its quorum.
		via := firstRunning(cl.Servers, nil)
		for i, n := range nodes {
			steps = append(steps, step{"Starting server " + n.Spec.Name, func(ctx context.Context) error {
				return create(ctx, n)
			}})
			if i < len(nodes)-1 || o.Wait {
				steps = append(steps, step{"Waiting for " + n.Spec.Name + " to join etcd", func(ctx context.Context) error {
					if via == "" {
						return fmt.Errorf("cluster %s has no running server to ask about etcd", cl.Name)
					}
					ctx, cancel := within(ctx)
					defer cancel()
					return p.waitMemberStarted(ctx, via, n.Spec.Name)
				}})
			}
		}
	}
	// Every server serves the API, and a new node is also a backend of
	// each port whose filter selects it (agents:*, all, the default).
	fronted := false
	for _, n := range nodes {
		fronted = fronted || cl.lbFronts(n.Role, n.Index)
	}
	if fronted {
		steps = append(steps, step{"Updating load balancer " + cl.LoadBalancer.Name, func(ctx context.Context) error {
			return p.syncLB(ctx, cl.Name)
		}})
	}
	if o.Wait {
		var u Usable
		for _, n := range nodes {
			u.Nodes = append(u.Nodes, n.Spec.Name)
		}
		steps = append(steps, step{"Waiting until the new node(s) take pods: " + u.describe(), func(ctx context.Context) error {
			ctx, cancel := within(ctx)
			defer cancel()
			cfg, err := p.clusterKubeconfig(ctx, cl, nil, 0)
			if err != nil {
				return err
			}
			return p.waitReady(ctx, cfg, u)
		}})
	}
	return steps
}

// rollbackNodes removes what a failed node create made, newest first.
func (p *Provider) rollbackNodes(ctx context.Context, cluster string, made *madeObjects) error {
	avoid := map[string]bool{}
	for _, c := range made.containers {
		avoid[c] = true
	}
	var errs []error
	for i := len(made.containers) - 1; i >= 0; i-- {
		name := made.containers[i]
		cl, err := p.Get(ctx, cluster)
		if err != nil {
			return err
		}
		n, ok := cl.node(name)
		if !ok {
			continue
		}
		errs = append(errs, p.removeNode(ctx, cl, n, false, avoid))
	}
	for _, v := range made.volumes {
		if err := p.rt.RemoveVolume(ctx, v); err != nil && !runtime.IsNotFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// firstRunning returns the first running node not in skip, or "".
func firstRunning(nodes []Node, skip map[string]bool) string {
	for _, n := range nodes {
		if n.Running && !skip[n.Name] {
			return n.Name
		}
	}
	return ""
}
