package cluster

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

func newEditCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "edit NAME --port-add SPEC... --port-delete SPEC...",
		Short: "Add or delete ports published through the load balancer of a running or stopped cluster",
		Long: "Add or delete --port mappings of a cluster's load balancer. The engine cannot change the ports of a\n" +
			"container, so the load balancer is replaced: the API is interrupted for a few seconds, and on any\n" +
			"failure the old load balancer comes back with its old ports.\n\n" +
			"--port-add takes a --port value of `mini cluster create` that goes through the load balancer\n" +
			"(a node's :direct ports can only be set at create). --port-delete takes a port as it was added\n" +
			"(8080:80, 127.0.0.1:8080:80/udp) and matches it by its host side only: address, host port and\n" +
			"protocol. A port whose host port the engine picked is named by its container port (80, or ::80/udp);\n" +
			"`mini cluster list -o json` shows the ports there are.",
		Example: "  mini cluster edit dev --port-add 8080:80@loadbalancer\n" +
			"  mini cluster edit dev --port-add 30000-30100:30000-30100@agents:* --port-delete 8080:80",
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			return p.Edit(cmd.Context(), cluster.EditOptions{
				Name:       args[0],
				PortAdd:    v.GetStringSlice("port-add"),
				PortDelete: v.GetStringSlice("port-delete"),
			})
		},
	}
	f := cmd.Flags()
	f.StringArray("port-add", nil, "[HOST:][HOSTPORT:]CONTAINERPORT[/tcp|udp][@FILTER] port to publish through the load balancer (repeatable)")
	f.StringArray("port-delete", nil, "a port as added, matched by its host side: [HOST:]HOSTPORT:CONTAINERPORT[/tcp|udp] (repeatable)")
	return cmd
}
