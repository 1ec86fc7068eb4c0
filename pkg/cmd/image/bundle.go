package image

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

// newBundleCommand is `mini image bundle`: mini's own images as one
// archive, for hosts that cannot reach the registry they are published in.
func newBundleCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bundle",
		Short: "List, save and load the images mini runs, for mirrors and air-gapped hosts",
		Long: "mini pulls its images (node, load balancer, registry) when a command first needs them. Where the registry\n" +
			"they are published in cannot be reached, `list` names them for copying into a mirror (then use\n" +
			"--image-repository or MINI_IMAGE_REPOSITORY), and `save` writes them into one archive that `load`\n" +
			"puts into another host's engine.",
		Example: "  mini image bundle list\n  mini image bundle save mini-images.tar        # on a connected host\n" +
			"  mini image bundle load mini-images.tar        # on the air-gapped one; then mini cluster create",
		Args: cli.NoArgs,
	}
	cmd.AddCommand(newBundleListCommand(app), newBundleSaveCommand(app), newBundleLoadCommand(app))
	return cmd
}

func newBundleListCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the images mini runs by default (what a mirror or a bundle holds)",
		Example: "  mini image bundle list\n" +
			"  for i in $(mini image bundle list --no-headers | awk '{print $2}'); do crane copy \"$i\" \"mirror.example.com/minictl/${i##*/}\"; done",
		Args: cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := cli.Bind(cmd)
			if err != nil {
				return err
			}
			out := v.GetString("output")
			if err := cli.CheckOutput(out); err != nil {
				return err
			}
			images, err := cli.DefaultImages(v)
			if err != nil {
				return err
			}
			list := []bundleImage{{"node", images.Node}, {"lb", images.LB}, {"registry", images.Registry}}
			if out != cli.OutputTable {
				return cli.PrintData(app.Streams.Out, out, list)
			}
			rows := make([][]string, len(list))
			for i, b := range list {
				rows[i] = []string{b.Role, b.Image}
			}
			return cli.PrintTable(app.Streams.Out, []string{"ROLE", "IMAGE"}, rows, v.GetBool("no-headers"))
		},
	}
	cmd.Flags().StringP("output", "o", cli.OutputTable, "output format: table, json or yaml")
	cmd.Flags().Bool("no-headers", false, "omit the table header")
	cli.AddImageRepositoryFlag(cmd.Flags())
	return cmd
}

// bundleImage is a row of `bundle list`.
type bundleImage struct {
	Role  string `json:"role" yaml:"role"`
	Image string `json:"image" yaml:"image"`
}

func newBundleSaveCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "save FILE|-",
		Short: "Write the images mini runs into one archive (pulling those the engine lacks)",
		Args:  cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			images, err := cli.DefaultImages(v)
			if err != nil {
				return err
			}
			return p.SaveBundle(cmd.Context(), images.All(), cluster.PullPolicy(v.GetString(cli.PullFlag)), args[0], app.Streams.Out)
		},
	}
	cli.AddImageRepositoryFlag(cmd.Flags())
	cli.AddPullFlag(cmd.Flags())
	return cmd
}

func newBundleLoadCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "load FILE|-",
		Short: "Load an archive written by `mini image bundle save` into the engine, printing the images it held",
		Args:  cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			names, err := p.LoadBundle(cmd.Context(), args[0], app.Streams.In)
			if err != nil {
				return err
			}
			for _, n := range names {
				if _, err := fmt.Fprintln(app.Streams.Out, n); err != nil {
					return err
				}
			}
			return nil
		},
	}
	return cmd
}
