package doctor

import (
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/doctor"
	"github.com/minictl/mini/pkg/version"
)

// outputText is doctor's default output: a line per check.
const outputText = "text"

// NewCommand returns `mini doctor`.
func NewCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check that this machine can run mini clusters",
		Long: "Check what mini clusters need: a Docker engine and its API version, node privileges\n" +
			"(--privileged or its emulation), cgroup controllers, inotify limits, free disk in the engine's\n" +
			"data root, container DNS on a user-defined network, the default registry port, and the node,\n" +
			"load balancer and registry images. It pulls the node image first, as create does (--pull).\n\n" +
			"Each check prints `✓ name: detail`, or `✗ name: detail` and a `fix:` line; a passed check\n" +
			"with a soft issue (low inotify limits, cgroup v1) adds a `note:` line. It exits non-zero when\n" +
			"a check fails. The test containers and network it makes are labelled dev.mini.role=doctor and\n" +
			"removed before it exits, also on Ctrl-C.",
		Example: "  mini doctor\n  mini doctor -o json",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := cli.Bind(cmd)
			if err != nil {
				return err
			}
			out := v.GetString("output")
			if out == cli.OutputTable {
				// What list commands call their default; MINI_OUTPUT=table
				// set for them must not break doctor.
				out = outputText
			}
			switch out {
			case outputText, cli.OutputJSON, cli.OutputYAML:
			default:
				return &cli.UsageError{Err: fmt.Errorf("--output %q: want text, json or yaml", out)}
			}
			p, err := app.Provider(v.GetString("kubeconfig"))
			if err != nil {
				return err
			}
			rt, err := app.Runtime()
			if err != nil {
				return err
			}
			images, err := cli.DefaultImages(v)
			if err != nil {
				return err
			}
			pull, err := cluster.ParsePullPolicy(v.GetString(cli.PullFlag))
			if err != nil {
				return &cli.UsageError{Err: err}
			}
			opts := doctor.Options{NodeImage: cmp.Or(v.GetString("image"), images.Node), LBImage: images.LB,
				RegistryImage: images.Registry, Privileges: p.NodePrivileges}
			// The in-container checks run the node image: fetched as
			// create would. Without it they report why they did not run.
			if err := p.PullImages(cmd.Context(), pull, opts.NodeImage); err != nil {
				if cmd.Context().Err() != nil {
					return err
				}
				app.Logger.Warnf("%v", err)
			}
			if out == outputText {
				opts.Report = func(r doctor.Result) { printResult(app.Streams.Out, r) }
			}
			results, err := doctor.Run(cmd.Context(), rt, opts)
			if err != nil {
				return err
			}
			if out != outputText {
				if err := cli.PrintData(app.Streams.Out, out, results); err != nil {
					return err
				}
			}
			return failures(results)
		},
	}
	cmd.Flags().StringP("output", "o", outputText, "output format: text, json or yaml")
	cmd.Flags().StringP("image", "i", "", "node image to look for and run the in-container checks with (default "+version.DefaultImages().Node+", under --image-repository)")
	cli.AddImageRepositoryFlag(cmd.Flags())
	cli.AddPullFlag(cmd.Flags())
	return cmd
}

// printResult writes one check as a line, and its hint on the next.
func printResult(w io.Writer, r doctor.Result) {
	mark, label := "✓", "note"
	if !r.OK {
		mark, label = "✗", "fix"
	}
	fmt.Fprintf(w, "%s %s: %s\n", mark, r.Name, r.Detail)
	if r.Hint != "" {
		fmt.Fprintf(w, "  %s: %s\n", label, r.Hint)
	}
}

// failures is the command's error when checks failed: main prints it and
// exits non-zero.
func failures(results []doctor.Result) error {
	var failed []string
	for _, r := range results {
		if !r.OK {
			failed = append(failed, r.Name)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d checks failed: %s", len(failed), len(results), strings.Join(failed, ", "))
}
