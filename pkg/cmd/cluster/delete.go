package cluster

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

func newDeleteCommand(app *cli.App) *cobra.Command {
	cmd := newMultiCommand(app, verb{use: "delete", short: "Delete clusters: containers, network, volumes and kubeconfig entries",
		run: func(cmd *cobra.Command, p *cluster.Provider, name string, _ cluster.StartOptions) error {
			return p.Delete(cmd.Context(), name)
		}})
	cmd.Aliases = []string{"rm"}
	cmd.Use = "delete NAME... | --all | -c FILE"
	cmd.Flags().StringP("config", "c", "", "also delete the cluster this config file names (metadata.name)")
	run := cmd.RunE
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		names, err := withConfigName(app, cmd, args)
		if err != nil {
			return err
		}
		return run(cmd, names)
	}
	return cmd
}

// namesOrAll returns args, or every cluster's name with --all.
func namesOrAll(cmd *cobra.Command, p *cluster.Provider, args []string, all bool) ([]string, error) {
	if !all {
		return args, nil
	}
	cls, err := p.List(cmd.Context())
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cls))
	for _, c := range cls {
		names = append(names, c.Name)
	}
	return names, nil
}
