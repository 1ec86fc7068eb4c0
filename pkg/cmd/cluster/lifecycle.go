package cluster

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

// verb is a command acting on clusters named by arguments or --all:
// delete, start, stop and restart.
type verb struct {
	use, short string
	wait       bool
	run        func(cmd *cobra.Command, p *cluster.Provider, name string, opts cluster.StartOptions) error
}

func newStartCommand(app *cli.App) *cobra.Command {
	return newMultiCommand(app, verb{"start", "Start stopped clusters: load balancer, servers in order, then agents", true,
		func(cmd *cobra.Command, p *cluster.Provider, name string, o cluster.StartOptions) error {
			return p.Start(cmd.Context(), name, o)
		}})
}

func newStopCommand(app *cli.App) *cobra.Command {
	return newMultiCommand(app, verb{"stop", "Stop clusters, keeping their data for a later start", false,
		func(cmd *cobra.Command, p *cluster.Provider, name string, _ cluster.StartOptions) error {
			return p.Stop(cmd.Context(), name)
		}})
}

func newRestartCommand(app *cli.App) *cobra.Command {
	return newMultiCommand(app, verb{"restart", "Stop then start clusters", true,
		func(cmd *cobra.Command, p *cluster.Provider, name string, o cluster.StartOptions) error {
			return p.Restart(cmd.Context(), name, o)
		}})
}

func newMultiCommand(app *cli.App, vb verb) *cobra.Command {
	cmd := &cobra.Command{
		Use:   vb.use + " NAME... | --all",
		Short: vb.short,
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			if err := cli.NamesOrAll(args, v.GetBool("all"), "cluster"); err != nil {
				return err
			}
			names, err := namesOrAll(cmd, p, args, v.GetBool("all"))
			if err != nil {
				return err
			}
			opts := cluster.StartOptions{}
			if vb.wait {
				opts = cluster.StartOptions{Wait: v.GetBool("wait"), Timeout: v.GetDuration("timeout")}
			}
			var errs []error
			for _, n := range names {
				if err := vb.run(cmd, p, n, opts); err != nil {
					errs = append(errs, fmt.Errorf("%s %s: %w", vb.use, n, err))
				}
			}
			return errors.Join(errs...)
		},
	}
	cmd.Flags().Bool("all", false, vb.use+" every mini cluster")
	if vb.wait {
		cmd.Flags().Bool("wait", true, "wait until the cluster is usable again: every node back and Ready, CoreDNS answering")
		cmd.Flags().Duration("timeout", cluster.DefaultTimeout, "how long to wait (0: no limit)")
	}
	return cmd
}
