package node

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

// row is one node of one cluster in list output.
type row struct {
	Cluster      string `json:"cluster" yaml:"cluster"`
	cluster.Node `json:",inline" yaml:",inline"`
}

func newListCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list [CLUSTER...]",
		Aliases: []string{"ls", "get"},
		Short:   "List the node containers of clusters (all clusters by default)",
		RunE: func(cmd *cobra.Command, args []string) error {
			fv, err := cli.Bind(cmd)
			if err != nil {
				return err
			}
			if c := fv.GetString("cluster"); c != "" {
				args = append(args, c)
			}
			v, cls, err := app.ListClusters(cmd, args)
			if err != nil {
				return err
			}
			out := v.GetString("output")
			var rows []row
			for _, c := range cls {
				for _, n := range c.Nodes() {
					rows = append(rows, row{Cluster: c.Name, Node: n})
				}
			}
			if out != cli.OutputTable {
				if rows == nil {
					rows = []row{}
				}
				return cli.PrintData(app.Streams.Out, out, rows)
			}
			table := make([][]string, 0, len(rows))
			for _, r := range rows {
				table = append(table, []string{r.Name, r.Role, r.Cluster, r.State, r.IP, strconv.Itoa(r.Index), strings.Join(r.Ports, ",")})
			}
			return cli.PrintTable(app.Streams.Out, []string{"NAME", "ROLE", "CLUSTER", "STATE", "IP", "INDEX", "PORTS"}, table, v.GetBool("no-headers"))
		},
	}
	cmd.Flags().StringP("output", "o", cli.OutputTable, "output format: table, json or yaml")
	cmd.Flags().Bool("no-headers", false, "omit the table header")
	cmd.Flags().StringP("cluster", "c", "", "list this cluster's nodes (same as naming it)")
	return cmd
}
