package cluster

import (
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/version"
)

// DefaultName is the cluster name when none is given.
const DefaultName = cli.DefaultCluster

func newCreateCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create [NAME]",
		Short: "Create a cluster (default name: " + DefaultName + ")",
		Long: "Create a cluster of node containers behind a load balancer, merge its kubeconfig and wait for its nodes.\n\n" +
			"Node filters select nodes for --env, --volume, --k3s-node-label and --k3s-arg: VALUE@server:0,\n" +
			"@servers:*, @agent:1,3, @agents:2-4, @loadbalancer, @all; several joined with ';'.\n" +
			"Without a filter a value applies to every node, except --k3s-arg which goes to servers.\n\n" +
			"--port [HOST:][HOSTPORT:]CONTAINERPORT[/tcp|udp][@FILTER[:direct|:proxy]] publishes a port (or a\n" +
			"range N-M) on HOST (default 127.0.0.1); without HOSTPORT the engine picks a free one (a range maps\n" +
			"to the same ports). The load balancer publishes it and forwards it to every node the filter selects\n" +
			"(default: all servers and agents); :direct publishes it on the one node the filter selects instead.\n" +
			"Without a load balancer (--no-lb), a port without a filter goes to server 0 directly.\n\n" +
			"Cluster names are at most 32 characters: lower-case letters, digits and '-'.\n\n" +
			"--config FILE reads the options from a config file (docs/config.md; `mini config init` writes one); a k3d\n" +
			"k3d.io/v1alpha5 file works too. Flags and MINI_* variables override the file, a NAME its metadata.name.",
		Example: "  mini cluster create dev\n  mini cluster create ha --servers 3 --agents 2 --api-port 127.0.0.1:6550\n" +
			"  mini cluster create dev -e HTTP_PROXY=http://proxy:3128@all --k3s-arg --disable=traefik@server:0\n" +
			"  mini cluster create dev -p 8080:80@loadbalancer -p 30000-30100:30000-30100 -p 5353:53/udp@agents:*\n" +
			"  mini cluster create dev --registry-create dev-registry:5001   # then: docker push localhost:5001/app\n" +
			"  mini cluster create -c cluster.yaml --agents 3",
		Args: cli.MaxArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := cli.Bind(cmd)
			if err != nil {
				return err
			}
			// A config file is read and checked before the engine is asked.
			opts, err := resolveCreateOptions(app, v, args)
			if err != nil {
				return err
			}
			p, err := app.Provider(v.GetString("kubeconfig"))
			if err != nil {
				return err
			}
			return p.Create(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringP("config", "c", "", "config file (mini.dev/v1alpha1, or k3d.io/v1alpha5) with the options; flags and MINI_* override it; - reads stdin")
	f.IntP("servers", "s", 1, "number of server (control-plane) nodes; more than 1 runs embedded etcd (use 3 for HA: 2 tolerate no failure)")
	f.IntP("agents", "a", 0, "number of agent (worker) nodes")
	def := version.DefaultImages()
	f.StringP("image", "i", "", "node image (default "+def.Node+", under --image-repository)")
	f.String("lb-image", "", "load balancer image (default "+def.LB+", under --image-repository)")
	cli.AddImageRepositoryFlag(f)
	cli.AddPullFlag(f)
	f.String("api-port", "", "[HOST:]PORT where the Kubernetes API is published (default: a free port on 127.0.0.1)")
	f.String("token", "", "join token shared by the nodes (default: random)")
	f.Bool("wait", true, "wait until the cluster is usable: every node Ready and schedulable, the default ServiceAccount, CoreDNS answering")
	f.Duration("timeout", cluster.DefaultTimeout, "how long to wait for the API server and nodes (0: no limit)")
	f.Bool("no-lb", false, "publish server 0's API directly instead of through a load balancer")
	f.Bool("no-rollback", false, "keep what was created when creation fails (for debugging)")
	f.Bool("kubeconfig-update-default", true, "merge the cluster into your kubeconfig")
	f.Bool("kubeconfig-switch-context", true, "make the cluster's context current")
	f.String("network", "", "existing network to join instead of creating mini-NAME")
	f.String("subnet", "", "IPv4 subnet (at least a /24) for the cluster network (default: a free one in 172.30.0.0/16)")
	f.StringArrayP("env", "e", nil, "KEY=VALUE[@FILTER] environment variable for nodes (repeatable)")
	f.StringArrayP("volume", "v", nil, "SOURCE:DEST[:ro][@FILTER] volume or host path to mount in nodes (repeatable)")
	f.StringArray("k3s-node-label", nil, "KEY=VALUE[@FILTER] Kubernetes node label (repeatable)")
	f.StringArray("label", nil, "alias of --k3s-node-label")
	f.StringArray("k3s-arg", nil, "ARG[@FILTER] extra argument for the node process, e.g. --disable=metrics-server@server:* (repeatable)")
	f.StringArray("host-alias", nil, "IP:NAME[,NAME] /etc/hosts entry on every node, resolvable from pods too (repeatable); host.mini.internal is always the Docker host")
	f.StringArrayP("port", "p", nil, "[HOST:][HOSTPORT:]CONTAINERPORT[/tcp|udp][@FILTER[:direct|:proxy]] port or range N-M to publish (repeatable)")
	f.String("servers-memory", "", "memory limit of each server, e.g. 2g")
	f.String("agents-memory", "", "memory limit of each agent, e.g. 1g")
	f.StringArray("registry-create", nil, "NAME[:[HOST:]PORT] create a registry for this cluster (deleted with it), published on localhost:PORT (repeatable)")
	f.StringArray("registry-use", nil, "NAME[:PORT] pull from an existing registry (mini registry create) by its localhost:PORT name (repeatable)")
	f.String("registry-config", "", "k3s registries.yaml (mirrors, endpoints, auth, TLS) for every node's containerd")
	f.String("registry-image", "", "image of registries made with --registry-create (default "+def.Registry+", under --image-repository)")
	return cmd
}

// createOptions turns resolved flag values into library options.
func createOptions(v *viper.Viper, args []string) cluster.CreateOptions {
	name := DefaultName
	if len(args) == 1 {
		name = args[0]
	}
	return cluster.CreateOptions{
		Name:             name,
		Servers:          v.GetInt("servers"),
		Agents:           v.GetInt("agents"),
		Image:            v.GetString("image"),
		LBImage:          v.GetString("lb-image"),
		APIPort:          v.GetString("api-port"),
		Token:            v.GetString("token"),
		Wait:             v.GetBool("wait"),
		Timeout:          v.GetDuration("timeout"),
		NoLB:             v.GetBool("no-lb"),
		NoRollback:       v.GetBool("no-rollback"),
		UpdateKubeconfig: v.GetBool("kubeconfig-update-default"),
		SwitchContext:    v.GetBool("kubeconfig-update-default") && v.GetBool("kubeconfig-switch-context"),
		Network:          v.GetString("network"),
		Subnet:           v.GetString("subnet"),
		Env:              v.GetStringSlice("env"),
		Volumes:          v.GetStringSlice("volume"),
		NodeLabels:       append(v.GetStringSlice("k3s-node-label"), v.GetStringSlice("label")...),
		K3sArgs:          v.GetStringSlice("k3s-arg"),
		Ports:            v.GetStringSlice("port"),
		HostAliases:      v.GetStringSlice("host-alias"),
		ServersMemory:    v.GetString("servers-memory"),
		AgentsMemory:     v.GetString("agents-memory"),
		RegistryCreate:   v.GetStringSlice("registry-create"),
		RegistryUse:      v.GetStringSlice("registry-use"),
		RegistryConfig:   v.GetString("registry-config"),
		RegistryImage:    v.GetString("registry-image"),
		ImageRepository:  v.GetString(cli.ImageRepositoryFlag),
		Pull:             cluster.PullPolicy(v.GetString(cli.PullFlag)),
	}
}
