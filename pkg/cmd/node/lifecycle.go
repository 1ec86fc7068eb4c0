package node

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

func newStartCommand(app *cli.App) *cobra.Command {
	return newNodesCommand(app, "start", "Start stopped nodes (load balancer, servers, then agents)",
		func(ctx context.Context, p *cluster.Provider, c string, names []string) error {
			return p.StartNodes(ctx, c, names)
		})
}

func newStopCommand(app *cli.App) *cobra.Command {
	return newNodesCommand(app, "stop", "Stop nodes, keeping their data (warns when etcd would lose its quorum)",
		func(ctx context.Context, p *cluster.Provider, c string, names []string) error {
			return p.StopNodes(ctx, c, names)
		})
}

// newNodesCommand is a command acting on nodes named by arguments.
func newNodesCommand(app *cli.App, use, short string, run func(ctx context.Context, p *cluster.Provider, cluster string, names []string) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use + " NAME...",
		Short: short,
		Args:  cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			return run(cmd.Context(), p, v.GetString("cluster"), args)
		},
	}
	addClusterFlag(cmd)
	return cmd
}
