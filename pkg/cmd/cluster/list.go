package cluster

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

func newListCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list [NAME...]",
		Aliases: []string{"ls", "get"},
		Short:   "List clusters",
		RunE: func(cmd *cobra.Command, args []string) error {
			v, cls, err := app.ListClusters(cmd, args)
			if err != nil {
				return err
			}
			out := v.GetString("output")
			if out != cli.OutputTable {
				return cli.PrintData(app.Streams.Out, out, cls)
			}
			rows := make([][]string, 0, len(cls))
			for _, c := range cls {
				lb := "no"
				if c.LoadBalancer != nil {
					lb = "yes"
				}
				rows = append(rows, []string{c.Name,
					fmt.Sprintf("%d/%d", cluster.Running(c.Servers), len(c.Servers)),
					fmt.Sprintf("%d/%d", cluster.Running(c.Agents), len(c.Agents)),
					lb, c.API.URL(), c.Network, c.Image})
			}
			return cli.PrintTable(app.Streams.Out, []string{"NAME", "SERVERS", "AGENTS", "LOADBALANCER", "API", "NETWORK", "IMAGE"}, rows, v.GetBool("no-headers"))
		},
	}
	cmd.Flags().StringP("output", "o", cli.OutputTable, "output format: table, json or yaml")
	cmd.Flags().Bool("no-headers", false, "omit the table header")
	return cmd
}
