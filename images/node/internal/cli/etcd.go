package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/datastore"
	"github.com/minictl/mini/images/node/internal/server"
)

// newEtcdCommand inspects the embedded etcd from inside a server node, so
// the launcher and users can see membership follow servers coming and
// going (`docker exec <server> mini-node etcd members`).
func newEtcdCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "etcd", Short: "Inspect this server's embedded etcd"}
	dataDir := config.NewServer().DataDir
	output := "table"
	members := &cobra.Command{
		Use:   "members",
		Short: "List the etcd cluster's members and whether each answers with a leader",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("--output %q: want table or json", output)
			}
			c, err := server.LocalEtcdClient(dataDir)
			if err != nil {
				return err
			}
			defer c.Close()
			list, err := datastore.Members(cmd.Context(), c)
			if err != nil {
				return fmt.Errorf("%w (is this a server started with --cluster-init or --server?)", err)
			}
			list = datastore.Health(cmd.Context(), c, list)
			if output == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tPEER URL\tSTARTED\tLEARNER\tHEALTHY")
			for _, m := range list {
				fmt.Fprintf(w, "%s\t%s\t%t\t%t\t%t\n", m.Name, m.PeerURL, m.Started, m.Learner, m.Healthy)
			}
			return w.Flush()
		},
	}
	members.Flags().StringVarP(&dataDir, "data-dir", "d", dataDir, "the server's data directory")
	members.Flags().StringVarP(&output, "output", "o", output, "output format: table or json")
	cmd.AddCommand(members)
	return cmd
}
