package node

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

func newCreateCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Add nodes to a running cluster",
		Long: "Add agents or servers to a running cluster. The image, token, network and API address come from the\n" +
			"cluster's containers. Replica i is the container mini-CLUSTER-NAME-i; it gets the lowest free index of its\n" +
			"role and that index's fixed IP. Servers can only be added to clusters on embedded etcd (created with\n" +
			"--servers 2 or more); they join one at a time, and the load balancer is updated to include them.\n" +
			"A failed or interrupted create removes what it made.",
		Example: "  mini node create worker --cluster dev                      # mini-dev-worker-0\n" +
			"  mini node create extra --cluster ha --role server          # a 4th server; etcd grows to 4 members\n" +
			"  mini node create big --cluster dev --replicas 3 --memory 2g",
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			return p.CreateNodes(cmd.Context(), cluster.NodeCreateOptions{
				Name:     args[0],
				Cluster:  v.GetString("cluster"),
				Role:     v.GetString("role"),
				Replicas: v.GetInt("replicas"),
				Memory:   v.GetString("memory"),
				K3sArgs:  v.GetStringSlice("k3s-arg"),
				Wait:     v.GetBool("wait"),
				Timeout:  v.GetDuration("timeout"),
				Pull:     cluster.PullPolicy(v.GetString(cli.PullFlag)),
			})
		},
	}
	f := cmd.Flags()
	f.StringP("cluster", "c", cli.DefaultCluster, "cluster to add the nodes to")
	f.String("role", cluster.RoleAgent, "node role: agent or server")
	f.Int("replicas", 1, "how many nodes to add: NAME-0 … NAME-(N-1)")
	f.String("memory", "", "memory limit of each node, e.g. 2g")
	f.StringArray("k3s-arg", nil, "extra argument for the node process, e.g. --node-label=tier=edge (repeatable)")
	f.Bool("wait", true, "wait until the new nodes are Ready and take pods")
	f.Duration("timeout", cluster.DefaultTimeout, "how long to wait for the nodes to join (0: no limit)")
	cli.AddPullFlag(f)
	return cmd
}
