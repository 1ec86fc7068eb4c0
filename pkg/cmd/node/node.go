package node

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

// NewCommand returns `mini node`.
func NewCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "node",
		Aliases: []string{"nodes"},
		Short:   "Add, delete, start, stop and list the nodes of clusters",
		Args:    cli.NoArgs,
	}
	cmd.AddCommand(newCreateCommand(app), newDeleteCommand(app), newStartCommand(app), newStopCommand(app), newListCommand(app))
	return cmd
}

// addClusterFlag adds --cluster to commands that take node names.
func addClusterFlag(cmd *cobra.Command) {
	cmd.Flags().StringP("cluster", "c", "", "cluster the nodes belong to; lets names be relative to it (server-1 for mini-CLUSTER-server-1)")
}
