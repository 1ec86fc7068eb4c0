package cluster

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

// resolveCreateOptions turns create's flags, MINI_* environment, --config
// file and defaults, ranked in this order, into options. The file's
// values go into viper's config layer under the flags' keys, so viper
// ranks them as for any flag: a flag given wins, then its MINI_* variable,
// then the file, then the flag's default. A list given by flag or
// environment replaces the file's list. The name comes from the NAME
// argument, else the file, else the default.
func resolveCreateOptions(app *cli.App, v *viper.Viper, args []string) (cluster.CreateOptions, error) {
	path := v.GetString("config")
	if path == "" {
		return createOptions(v, args), nil
	}
	f, err := app.ReadConfig(path, true)
	if err != nil {
		return cluster.CreateOptions{}, err
	}
	if err := v.MergeConfigMap(fileValues(f.Options)); err != nil {
		return cluster.CreateOptions{}, fmt.Errorf("config file %s: %w", path, err)
	}
	o := createOptions(v, args)
	if len(args) == 0 {
		o.Name = f.Options.Name
	}
	return o, nil
}

// fileValues are a config file's options under the keys of create's
// flags; createOptions reads them back (TestFileValuesRoundTrip keeps the
// two in step, for every field of CreateOptions).
func fileValues(o cluster.CreateOptions) map[string]any {
	return map[string]any{
		"servers": o.Servers, "agents": o.Agents, "image": o.Image, "lb-image": o.LBImage,
		"api-port": o.APIPort, "token": o.Token, "wait": o.Wait, "timeout": o.Timeout,
		"no-lb": o.NoLB, "no-rollback": o.NoRollback,
		"kubeconfig-update-default": o.UpdateKubeconfig, "kubeconfig-switch-context": o.SwitchContext,
		"network": o.Network, "subnet": o.Subnet, "env": o.Env, "volume": o.Volumes,
		"k3s-node-label": o.NodeLabels, "k3s-arg": o.K3sArgs, "port": o.Ports, "host-alias": o.HostAliases,
		"servers-memory": o.ServersMemory, "agents-memory": o.AgentsMemory,
		"registry-create": o.RegistryCreate, "registry-use": o.RegistryUse,
		"registry-config": o.RegistryConfig, "registry-image": o.RegistryImage,
		cli.ImageRepositoryFlag: o.ImageRepository, cli.PullFlag: string(o.Pull),
	}
}

// withConfigName adds to args the cluster that delete's --config file
// names. Only the flag counts, not MINI_CONFIG: a variable set for create
// must not make a delete remove one more cluster.
func withConfigName(app *cli.App, cmd *cobra.Command, args []string) ([]string, error) {
	path, err := cmd.Flags().GetString("config")
	if err != nil || path == "" {
		return args, err
	}
	f, err := app.ReadConfig(path, false)
	if err != nil {
		return nil, err
	}
	if !f.NameSet {
		return nil, &cli.UsageError{Err: fmt.Errorf("config file %s names no cluster (metadata.name): give the name as an argument", path)}
	}
	return append(args, f.Options.Name), nil
}
