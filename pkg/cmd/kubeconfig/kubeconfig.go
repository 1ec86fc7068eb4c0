package kubeconfig

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/kubeconfig"
)

// NewCommand returns `mini kubeconfig`.
func NewCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{Use: "kubeconfig", Short: "Print or merge a cluster's kubeconfig", Args: cli.NoArgs}
	cmd.AddCommand(newGetCommand(app), newMergeCommand(app))
	return cmd
}

func newGetCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get NAME",
		Short: "Print a cluster's kubeconfig to stdout",
		Args:  cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			cfg, err := p.Kubeconfig(cmd.Context(), args[0], v.GetDuration("timeout"))
			if err != nil {
				return err
			}
			return kubeconfig.Write(app.Streams.Out, cfg)
		},
	}
	cmd.Flags().Duration("timeout", cluster.DefaultTimeout, "how long to wait for the server to write its kubeconfig")
	return cmd
}

func newMergeCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "merge NAME",
		Short: "Merge a cluster's kubeconfig into your kubeconfig (or --output FILE, or - for stdout)",
		Args:  cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			output := v.GetString("output")
			if output == "-" {
				cfg, err := p.Kubeconfig(cmd.Context(), args[0], v.GetDuration("timeout"))
				if err != nil {
					return err
				}
				return kubeconfig.Write(app.Streams.Out, cfg)
			}
			file, err := p.MergeKubeconfig(cmd.Context(), args[0], output, v.GetBool("kubeconfig-switch-context"), v.GetDuration("timeout"))
			if err != nil {
				return err
			}
			// The file name is the command's result, so it goes to stdout.
			_, err = fmt.Fprintln(app.Streams.Out, file)
			return err
		},
	}
	cmd.Flags().StringP("output", "o", "", "file to merge into, or - for stdout (default: --kubeconfig, $KUBECONFIG or ~/.kube/config)")
	cmd.Flags().Bool("kubeconfig-switch-context", true, "make the cluster's context current")
	cmd.Flags().Duration("timeout", cluster.DefaultTimeout, "how long to wait for the server to write its kubeconfig")
	return cmd
}
