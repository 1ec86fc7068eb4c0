package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/addons"
	"github.com/minictl/mini/images/node/internal/agent"
	"github.com/minictl/mini/images/node/internal/await"
	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/controlplane"
	"github.com/minictl/mini/images/node/internal/datastore"
	"github.com/minictl/mini/images/node/internal/group"
	"github.com/minictl/mini/images/node/internal/hostprep"
	"github.com/minictl/mini/images/node/internal/hostsfile"
	"github.com/minictl/mini/images/node/internal/leader"
	"github.com/minictl/mini/images/node/internal/pki"
	"github.com/minictl/mini/images/node/internal/podcidr"
	"github.com/minictl/mini/images/node/internal/servicelb"
)

// Run runs the server until ctx ends or a component fails.
func Run(ctx context.Context, cfg *config.Server) error {
	start := time.Now()
	step := func(msg string, kv ...any) {
		klog.InfoS(msg, append(kv, "elapsed", time.Since(start).Round(time.Millisecond))...)
	}
	var containerdOpts agent.ContainerdOptions
	if !cfg.DisableAgent {
		// Read --private-registry first: a bad file stops the node before
		// anything has started.
		var err error
		if containerdOpts, err = agent.ContainerdOptionsFor(&cfg.Agent); err != nil {
			return err
		}
		if err := hostprep.Prepare(); err != nil {
			return fmt.Errorf("prepare node: %w", err)
		}
	}
	paths := config.PathsFor(cfg.DataDir)
	if cfg.ServerURL != "" {
		// A joining server signs everything with the cluster's CAs, so it
		// must have them before it makes a single certificate.
		if err := fetchBundle(ctx, cfg); err != nil {
			return err
		}
		step("Cluster CAs fetched", "server", cfg.ServerURL)
	}
	t, err := ensureTLS(cfg)
	if err != nil {
		return err
	}
	tok, err := ensureToken(cfg, t)
	if err != nil {
		return err
	}
	cred := paths.ServerCred()
	local := localURL(cfg)
	for name, client := range map[string]pki.Pair{controllerKubeconfig: t.Controller, schedulerKubeconfig: t.Scheduler} {
		if err := writeKubeconfig(filepath.Join(cred, name), local, t.ServerCA.CertPath, client, false, 0o600); err != nil {
			return err
		}
	}
	adminPath := filepath.Join(cred, adminKubeconfig)
	if err := writeKubeconfig(adminPath, local, t.ServerCA.CertPath, t.Admin, true, 0o600); err != nil {
		return err
	}
	step("Certificates ready")

	g, ctx := errgroup.WithContext(ctx)
	// goComponent runs one component and says which one stopped the node:
	// errgroup would otherwise only return the first error after every
	// other component has shut down, which can take a minute.
	goComponent := func(name string, fn func() error) {
		g.Go(func() error {
			err := fn()
			if err != nil && ctx.Err() == nil {
				klog.ErrorS(err, "Component failed; stopping the node", "component", name)
				return fmt.Errorf("%s: %w", name, err)
			}
			return err
		})
	}
	imported := make(chan error, 1)
	var creds agent.Credentials
	if !cfg.DisableAgent {
		cd, err := agent.StartContainerd(ctx, containerdOpts)
		if err != nil {
			return err
		}
		defer cd.Stop()
		step("containerd ready")
		goComponent("containerd", func() error { return cd.Wait(ctx) })
		go func() {
			err := agent.ImportImages(ctx, cfg.DataDir, config.ContainerdSocket)
			step("Preloaded images imported")
			imported <- err
		}()
		if creds, err = localAgentCredentials(cfg, t); err != nil {
			return err
		}
	}

	var initialCluster string
	var etcdPeers []string
	joining := cfg.EmbeddedEtcd() && cfg.ServerURL != ""
	if joining {
		if initialCluster, etcdPeers, err = joinEtcd(ctx, cfg, t); err != nil {
			return err
		}
		step("Added to etcd", "initialCluster", initialCluster)
	}
	ds, err := datastore.Start(ctx, datastore.Options{
		Dir: paths.DB(), Endpoint: cfg.DatastoreEndpoint, ClusterInit: cfg.EmbeddedEtcd(),
		Etcd: datastore.EtcdOptions{
			InitialCluster: initialCluster, Existing: initialCluster != "",
			Dir: filepath.Join(paths.DB(), "etcd"), Name: cfg.NodeName, NodeIP: cfg.NodeIP,
			CAFile: t.EtcdCA.CertPath, ServerCertFile: t.EtcdServer.CertPath, ServerKeyFile: t.EtcdServer.KeyPath,
			PeerCertFile: t.EtcdPeer.CertPath, PeerKeyFile: t.EtcdPeer.KeyPath,
			ClientCertFile: t.EtcdClient.CertPath, ClientKeyFile: t.EtcdClient.KeyPath,
		},
	})
	if err != nil {
		return err
	}
	if joining {
		if err := promoteEtcd(ctx, cfg, t, etcdPeers); err != nil {
			return err
		}
		step("etcd member is a voter")
	}
	step("Datastore ready", "kind", ds.Kind)

	api, err := controlplane.NewAPIServer(ctx, apiserverArgs(cfg, t, ds))
	if err != nil {
		return err
	}
	goComponent("kube-apiserver", func() error { return api.Run(ctx) })
	adminCfg, err := clientcmd.BuildConfigFromFlags("", adminPath)
	if err != nil {
		return fmt.Errorf("admin kubeconfig: %w", err)
	}
	if err := waitReadyz(ctx, adminCfg); err != nil {
		return err
	}
	step("API server ready")
	client, err := kubernetes.NewForConfig(adminCfg)
	if err != nil {
		return fmt.Errorf("admin client: %w", err)
	}

	if _, cidr, err := net.ParseCIDR(cfg.ClusterCIDR); err == nil {
		alloc := podcidr.Allocator{ClusterCIDR: cidr, MaskLen: config.DefaultNodeCIDRMaskLen}
		goComponent("pod-cidr-allocator", func() error {
			if !cfg.UsesEtcd() {
				return podcidr.Run(ctx, client, alloc)
			}
			// Several servers: two allocators would hand out one subnet twice.
			var termErr error
			err := leader.Run(ctx, client, "mini-pod-cidr-allocator", func(ctx context.Context) {
				if err := podcidr.Run(ctx, client, alloc); err != nil && ctx.Err() == nil {
					termErr = err
				}
			})
			return errors.Join(err, termErr)
		})
	}
	if ds.Kind == datastore.EmbeddedEtcd {
		remove, closeEtcd, err := localMemberRemover(t)
		if err != nil {
			return err
		}
		defer closeEtcd()
		goComponent("etcd-member-controller", func() error {
			return runEtcdMemberController(ctx, client, cfg.NodeName, remove)
		})
	}
	goComponent("kube-controller-manager", func() error { return controlplane.RunControllerManager(ctx, controllerManagerArgs(cfg, t)) })
	goComponent("kube-scheduler", func() error { return controlplane.RunScheduler(ctx, schedulerArgs(cfg)) })
	if !cfg.DisableAgent {
		goComponent("agent", func() error {
			return agent.Run(ctx, agent.Options{
				Config: &cfg.Agent, ClusterDNS: cfg.ClusterDNS, ClusterDomain: cfg.ClusterDomain,
				ClusterCIDR: cfg.ClusterCIDR, Creds: creds, ImagesImported: imported,
			})
		})
	}
	if err := publishKubeconfig(cfg, t); err != nil {
		return err
	}
	step("Admin kubeconfig written", "path", cfg.WriteKubeconfig)

	disabled := map[string]bool{}
	for _, d := range cfg.Disable {
		disabled[d] = true
	}
	go func() {
		values := addons.Values{ClusterDNS: cfg.ClusterDNS, ClusterDomain: cfg.ClusterDomain,
			ClusterCIDR: cfg.ClusterCIDR, ServiceCIDR: cfg.ServiceCIDR, NodeIP: cfg.NodeIP, Hosts: nodeHosts()}
		if err := addons.Deploy(ctx, adminCfg, values, disabled, klog.Background()); err != nil && ctx.Err() == nil {
			klog.ErrorS(err, "Deploying addons")
			return
		}
		step("Addons applied")
	}()
	go func() {
		serverCA, err1 := os.ReadFile(t.ServerCA.CertPath)
		clientCA, err2 := os.ReadFile(t.ClientCA.CertPath)
		if err := errors.Join(err1, err2); err != nil {
			klog.ErrorS(err, "Reading CAs for agent bootstrap")
			return
		}
		sealed, err := sealBundle(t.Dir, ds.Kind, tok)
		if err != nil {
			klog.ErrorS(err, "Sealing the server bundle; servers cannot join")
			return
		}
		url := fmt.Sprintf("https://%s:%d", cfg.NodeIP, cfg.HTTPSPort)
		if err := ensureBootstrap(ctx, client, tok, serverCA, clientCA, sealed, url); err != nil && ctx.Err() == nil {
			klog.ErrorS(err, "Publishing agent bootstrap objects; agents cannot join")
			return
		}
		step("Agent bootstrap published")
	}()
	if !disabled["servicelb"] {
		goComponent("servicelb", func() error { return servicelb.Run(ctx, client, 1) })
	}
	if !cfg.DisableAgent {
		go labelServerNode(ctx, client, cfg.NodeName, ds.Kind == datastore.EmbeddedEtcd)
	}
	return group.Wait(ctx, g, group.StopGrace)
}

// waitReadyz polls /readyz until it answers 200: the real signal that the
// apiserver has its storage and post-start hooks done. It has no deadline
// (see package await): if the apiserver fails, its component ends ctx.
func waitReadyz(ctx context.Context, cfg *rest.Config) error {
	c, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return fmt.Errorf("readyz client: %w", err)
	}
	return await.Until(ctx, 50*time.Millisecond, "the API server's /readyz", func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.Host+"/readyz", nil)
		if err != nil {
			return await.Permanent(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("readyz answered %s", resp.Status)
		}
		return nil
	})
}

// publishKubeconfig writes the admin kubeconfig users and the launcher read.
func publishKubeconfig(cfg *config.Server, t *TLS) error {
	if cfg.WriteKubeconfig == "" {
		return nil
	}
	mode, err := cfg.KubeconfigMode()
	if err != nil {
		return err
	}
	return writeKubeconfig(cfg.WriteKubeconfig, localURL(cfg), t.ServerCA.CertPath, t.Admin, true, mode)
}

// nodeHosts are the /etc/hosts entries the launcher asked the engine for
// (host.mini.internal, --host-alias), for CoreDNS to answer pods with. They
// are read at every start, so a changed host address is picked up.
func nodeHosts() []addons.HostEntry {
	data, err := os.ReadFile("/etc/hosts")
	if err != nil {
		klog.InfoS("No /etc/hosts; pods get no host entries", "err", err)
		return nil
	}
	host, _ := os.Hostname()
	var out []addons.HostEntry
	for _, e := range hostsfile.Extra(data, host) {
		out = append(out, addons.HostEntry{IP: e.IP, Names: e.Names})
	}
	return out
}
