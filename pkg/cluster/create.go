package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/pkg/kubeconfig"
	"github.com/minictl/mini/pkg/loadbalancer"
	"github.com/minictl/mini/pkg/runtime"
)

// rollbackTimeout bounds the cleanup after a failed or interrupted create.
const rollbackTimeout = 2 * time.Minute

// Create makes a cluster. Everything is checked before the first object is
// created; after that, any error or cancellation (Ctrl-C) removes what was
// made, unless opts.NoRollback.
func (p *Provider) Create(ctx context.Context, opts CreateOptions) error {
	po, err := opts.parse()
	if err != nil {
		return err
	}
	pl, err := p.preflight(ctx, po)
	if err != nil {
		return err
	}
	p.log.Debugf("cluster %s: %s", po.Name, pl.describe())
	if w := serverCountWarning(po.Servers); w != "" {
		p.log.Warnf("--servers %d: %s", po.Servers, w)
	}
	start := time.Now()
	merged := false
	err = p.runSteps(ctx, p.createSteps(po, pl, &merged))
	if err == nil {
		state := "created"
		if po.Wait {
			state = "ready"
		}
		p.log.Infof("Cluster %s %s in %s; API at %s, context %s", po.Name, state, time.Since(start).Round(100*time.Millisecond), pl.API.URL(), pl.Namer.Context())
		return nil
	}
	err = p.failed(ctx, err, "creating cluster "+po.Name, po.Name)
	if po.NoRollback {
		p.log.Warnf("--no-rollback: leaving what was created; remove it with `mini cluster delete %s`", po.Name)
		return err
	}
	p.log.Warnf("rolling back cluster %s", po.Name)
	return p.undo(ctx, err, func(ctx context.Context) error { return p.teardown(ctx, po.Name, merged) })
}

// failed wraps the error of a failed or interrupted operation on cluster
// and, for a failure, shows the last errors of its dead nodes and of the
// nodes that never became Ready: the rollback that follows would take
// the only explanation with it.
func (p *Provider) failed(ctx context.Context, err error, what, cluster string) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s was interrupted: %w", what, err)
	}
	p.reportFailingNodes(ctx, cluster, err)
	return fmt.Errorf("%s: %w", what, err)
}

// undo runs a rollback under its own bounded context, as the Ctrl-C that
// ended the operation must not end its cleanup too.
func (p *Provider) undo(ctx context.Context, err error, rollback func(context.Context) error) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	if rerr := rollback(rctx); rerr != nil {
		return errors.Join(err, fmt.Errorf("rollback incomplete: %w", rerr))
	}
	return err
}

// preflight checks everything that can be checked before creating
// anything, and computes the plan.
func (p *Provider) preflight(ctx context.Context, po parsedOptions) (plan, error) {
	info, err := p.rt.Info(ctx)
	if err != nil {
		return plan{}, err
	}
	existing, err := p.rt.ListContainers(ctx, clusterSelector(po.Name))
	if err != nil {
		return plan{}, err
	}
	if len(existing) > 0 {
		return plan{}, fmt.Errorf("cluster %q: %w (%d containers); delete it first with `mini cluster delete %s`", po.Name, ErrExists, len(existing), po.Name)
	}
	var errs []error
	// Host ports of --port are held while a free API port is picked, so
	// it cannot be one of them.
	release := func() {}
	if info.Local {
		var binds []hostBind
		for _, s := range po.ports {
			binds = append(binds, s.hostBind())
		}
		var taken []error
		release, taken = reserveHostPorts(binds, nil)
		errs = append(errs, taken...)
	} else if len(po.ports) > 0 {
		p.log.Debugf("the engine is remote: mini cannot check that the host ports of --port are free there")
	}
	api, err := resolveAPIPort(po.api, info.Local)
	release()
	if err != nil {
		errs = append(errs, err)
	}
	po.api = api
	subnet, err := p.chooseSubnet(ctx, po, info.Local)
	if err != nil {
		errs = append(errs, err)
	}
	regs, err := p.planRegistries(ctx, po.registries, info.Local)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return plan{}, err
	}
	// Last of the checks, as a pull takes long: nothing else can fail
	// after it.
	needed := []neededImage{{po.Image, "node image"}}
	if !po.NoLB {
		needed = append(needed, neededImage{po.LBImage, "load balancer image"})
	}
	for _, r := range po.registries.create {
		needed = append(needed, neededImage{r.Image, "registry image"})
	}
	if err := p.ensureImages(ctx, po.Pull, needed); err != nil {
		return plan{}, err
	}
	privileged, err := p.detectPrivileged(ctx, info, po.Image)
	if err != nil {
		return plan{}, err
	}
	token := po.Token
	if token == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return plan{}, fmt.Errorf("generating a join token: %w", err)
		}
		token = hex.EncodeToString(b)
	}
	pl, err := buildPlan(po, planInput{Subnet: subnet, Privileged: privileged, Token: token, Version: p.version})
	if err != nil {
		return plan{}, err
	}
	pl.Registries = regs
	pl.EngineLocal = info.Local
	if regs.file != nil {
		for _, group := range [][]plannedNode{pl.Servers, pl.Agents} {
			for i := range group {
				group[i].Files = map[string][]byte{registriesFileInTar: regs.file}
			}
		}
	}
	return pl, nil
}

func (p *Provider) chooseSubnet(ctx context.Context, po parsedOptions, local bool) (string, error) {
	if po.Network != "" {
		n, err := p.rt.InspectNetwork(ctx, po.Network)
		if err != nil {
			return "", fmt.Errorf("--network %s: %w", po.Network, err)
		}
		if len(n.Subnets) == 0 {
			return "", fmt.Errorf("--network %s has no IPv4 subnet; mini needs one to give nodes fixed IPs", po.Network)
		}
		return n.Subnets[0], nil
	}
	name := Namer{Cluster: po.Name}.Network()
	nets, err := p.rt.ListNetworks(ctx, nil)
	if err != nil {
		return "", err
	}
	var taken []string
	for _, n := range nets {
		if n.Name == name {
			return "", fmt.Errorf("network %s already exists but belongs to no mini cluster; remove it or pick another cluster name", name)
		}
		taken = append(taken, n.Subnets...)
	}
	if po.Subnet != "" {
		return po.Subnet, nil
	}
	if local {
		taken = append(taken, p.hostPrefixes()...)
	}
	return pickSubnet(taken)
}

func (p *Provider) detectPrivileged(ctx context.Context, info runtime.Info, image string) (bool, error) {
	if p.privileged != nil {
		return *p.privileged, nil
	}
	ok, why, err := p.probe.allowed(ctx, p.rt, info, image)
	if err != nil {
		return false, err
	}
	if ok {
		p.log.Debugf("nodes run --privileged (%s)", why)
	} else {
		p.log.Debugf("the engine refuses --privileged (%s): nodes get all capabilities but CAP_SYS_RESOURCE, unconfined seccomp/apparmor/systempaths and all devices", why)
	}
	return ok, nil
}

// createSteps lists the ordered steps of Create. merged is set once the
// user's kubeconfig was changed, so rollback knows to undo it.
func (p *Provider) createSteps(po parsedOptions, pl plan, merged *bool) []step {
	var steps []step
	if !pl.ExternalNetwork {
		steps = append(steps, step{"Creating network " + pl.Network.Name + " (" + pl.Network.Subnet + ")", func(ctx context.Context) error {
			_, err := p.rt.CreateNetwork(ctx, pl.Network)
			return err
		}})
	}
	steps = append(steps, p.registrySteps(pl)...)
	steps = append(steps, step{"Creating node volumes", func(ctx context.Context) error {
		for _, n := range pl.nodes() {
			if err := p.rt.CreateVolume(ctx, runtime.VolumeSpec{Name: n.Volume, Labels: n.Spec.Labels}); err != nil {
				return err
			}
		}
		return nil
	}})
	// The load balancer comes first when a node joins through it (agents,
	// servers after the first): a joiner that looks up its name before it
	// runs only gets a DNS error and a retry. Otherwise it comes after the
	// server: the server takes seconds to boot and it does not, so
	// creating it meanwhile keeps it off the critical path. (A taken API
	// port was already refused by preflight.)
	var lbStep step
	lbFirst := pl.LB != nil && len(pl.nodes()) > 1
	if pl.LB != nil {
		lbStep = step{"Starting load balancer " + pl.LB.Spec.Name, func(ctx context.Context) error {
			if _, err := p.rt.CreateContainer(ctx, pl.LB.Spec); err != nil {
				return err
			}
			if err := loadbalancer.Seed(ctx, p.rt, pl.LB.Spec.Name, pl.LBConfig); err != nil {
				return err
			}
			return p.rt.StartContainer(ctx, pl.LB.Spec.Name)
		}}
	}
	if lbFirst {
		steps = append(steps, lbStep)
	}
	// Servers start one after the other, server 0 first, as it starts the
	// datastore the others join. Agents only need a server, so they start
	// together.
	steps = append(steps, step{fmt.Sprintf("Starting %d server(s)", len(pl.Servers)), func(ctx context.Context) error {
		for _, n := range pl.Servers {
			if err := p.createAndStart(ctx, n); err != nil {
				return err
			}
		}
		return nil
	}})
	if len(pl.Agents) > 0 {
		steps = append(steps, step{fmt.Sprintf("Starting %d agent(s)", len(pl.Agents)), func(ctx context.Context) error {
			return parallel(pl.Agents, func(n plannedNode) error { return p.createAndStart(ctx, n) })
		}})
	}
	if pl.LB != nil && !lbFirst {
		steps = append(steps, lbStep)
	}
	// The timeout covers waiting for the API server (kubeconfig) and for
	// the nodes, the two steps that depend on Kubernetes starting.
	var deadline time.Time
	var kcfg *clientcmdapi.Config
	steps = append(steps, step{"Waiting for the API server and its kubeconfig", func(ctx context.Context) error {
		if po.Timeout > 0 {
			deadline = time.Now().Add(po.Timeout)
		}
		var err error
		kcfg, err = p.fetchKubeconfig(ctx, pl.Namer, pl.Servers[0].Spec.Name, pl.API, deadline)
		if err != nil {
			return &waitingOnNode{node: pl.Servers[0].Spec.Name, err: err}
		}
		return nil
	}})
	if len(pl.Registries.all) > 0 {
		first := pl.Registries.all[0]
		steps = append(steps, step{"Publishing registry " + first.HostRef() + " in kube-public/local-registry-hosting", func(ctx context.Context) error {
			cs, err := p.kubeClient(kcfg)
			if err != nil {
				return err
			}
			return p.publishRegistry(ctx, cs, first, deadline)
		}})
	}
	if po.UpdateKubeconfig {
		steps = append(steps, step{"Merging kubeconfig context " + pl.Namer.Context(), func(ctx context.Context) error {
			*merged = true
			file, err := p.kube.Merge(kcfg, names(pl.Namer), po.SwitchContext)
			if err == nil {
				p.log.Debugf("kubeconfig written to %s", file)
			}
			return err
		}})
	}
	if po.Wait {
		u := Usable{Workloads: true, DNS: DNSRequired}
		if !planCoreDNS(po) {
			u.DNS = DNSSkip
		}
		for _, n := range pl.nodes() {
			u.Nodes = append(u.Nodes, n.Spec.Name)
		}
		steps = append(steps, step{"Waiting until the cluster is usable: " + u.describe(), func(ctx context.Context) error {
			return p.waitFor(ctx, kcfg, u, deadline)
		}})
	}
	return steps
}

func (p *Provider) createAndStart(ctx context.Context, n plannedNode) error {
	if _, err := p.rt.CreateContainer(ctx, n.Spec); err != nil {
		return err
	}
	if err := p.copyNodeFiles(ctx, n.Spec.Name, n.Files); err != nil {
		return err
	}
	return p.rt.StartContainer(ctx, n.Spec.Name)
}

func names(n Namer) kubeconfig.Names {
	return kubeconfig.Names{Context: n.Context(), Cluster: n.Context(), User: n.User()}
}

// fetchKubeconfig reads server's kubeconfig (waiting until the node has
// written it) and rewrites it for the host.
func (p *Provider) fetchKubeconfig(ctx context.Context, n Namer, server string, api APIEndpoint, deadline time.Time) (*clientcmdapi.Config, error) {
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	raw, err := kubeconfig.Read(ctx, p.rt, server, p.poll)
	if err != nil {
		return nil, err
	}
	return kubeconfig.Rewrite(raw, api.URL(), names(n))
}

// waitFor waits until the cluster is usable as u says, until deadline
// (zero: as long as ctx lasts).
func (p *Provider) waitFor(ctx context.Context, cfg *clientcmdapi.Config, u Usable, deadline time.Time) error {
	if !deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	return p.waitReady(ctx, cfg, u)
}
