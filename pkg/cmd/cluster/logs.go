package cluster

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

func newLogsCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "logs NAME [-o DIR|FILE.tar.gz]",
		Short: "Collect a cluster's logs into a directory or tarball (kind's `export logs`), e.g. for CI to upload",
		Long: "Collect what explains a cluster's trouble: each node's container output (mini-node, kubelet and\n" +
			"the control plane log there; stopped nodes too), containerd's log and kubelet's pod logs of every\n" +
			"node, the load balancer's output and nginx config, cluster.json (as `mini cluster list -o json`),\n" +
			"and, through kubectl on a running server, nodes, pods, events, `describe nodes` and the logs of\n" +
			"every kube-system pod.\n\n" +
			"An item that cannot be collected is a warning and a line of errors.txt in the output, not an\n" +
			"error. The path written is printed on stdout.",
		Example: "  mini cluster logs dev\n  mini cluster logs dev -o _output/logs\n  mini cluster logs dev -o dev-logs.tar.gz",
		Args:    cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			res, err := p.CollectLogs(cmd.Context(), args[0], cluster.LogsOptions{Output: v.GetString("output")})
			if res.Path != "" {
				fmt.Fprintln(app.Streams.Out, res.Path)
			}
			return err
		},
	}
	cmd.Flags().StringP("output", "o", "", "directory, or FILE.tar.gz (or .tgz), to write; it must not exist (default: mini-logs-NAME-TIMESTAMP)")
	return cmd
}
