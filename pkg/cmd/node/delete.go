package node

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

func newDeleteCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "delete NAME...",
		Aliases: []string{"rm"},
		Short:   "Drain and delete nodes: Node object, etcd member, container and data volume",
		Long: "Delete nodes one at a time: cordon and drain (at most a minute), stop the container, delete the Node object,\n" +
			"wait until etcd has removed a server's member, remove the container and its volume, and update the load\n" +
			"balancer. The last server, the load balancer and deletions that would cost etcd its quorum are refused.",
		Example: "  mini node delete mini-dev-worker-0\n  mini node delete server-2 agent-1 --cluster ha",
		Args:    cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			return p.DeleteNodes(cmd.Context(), cluster.NodeDeleteOptions{Names: args, Cluster: v.GetString("cluster")})
		},
	}
	addClusterFlag(cmd)
	return cmd
}
