package config

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/config"
	"github.com/minictl/mini/pkg/config/v1alpha1"
)

func newMigrateCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate FILE [-o OUT]",
		Short: "Convert a k3d (k3d.io/v1alpha5) config file to mini's current schema",
		Long: "Convert a config file to the current schema (" + v1alpha1.APIVersion + "), keeping only what it sets.\n" +
			"A k3d k3d.io/v1alpha5 Simple file maps field by field; what mini has no equivalent for is listed on\n" +
			"stderr and in a comment at the top of the output. The file must be valid: its problems are shown\n" +
			"with their lines, as by `mini config validate`.",
		Example: "  mini config migrate k3d.yaml -o cluster.yaml",
		Args:    cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := cli.Bind(cmd)
			if err != nil {
				return err
			}
			f, err := app.ReadConfig(args[0], true)
			if err != nil {
				return err
			}
			if !f.IsK3d() {
				app.Logger.Infof("%s is already %s: written back with only what it sets", args[0], f.APIVersion)
			}
			out, err := config.Migrate(f)
			if err != nil {
				return err
			}
			return write(app, v.GetString("output"), v.GetBool("force"), out)
		},
	}
	addOutputFlags(cmd, "the converted file")
	return cmd
}
