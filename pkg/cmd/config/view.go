package config

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/config"
)

func newViewCommand(app *cli.App) *cobra.Command {
	return &cobra.Command{
		Use:   "view FILE",
		Short: "Print a config file's effective config: every option, defaults filled in",
		Long: "Print the config a file describes with every option, the defaults of `mini cluster create` filled\n" +
			"in, in the current schema (a k3d file is converted). Flags and MINI_* variables are not applied.",
		Args: cli.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			f, err := app.ReadConfig(args[0], true)
			if err != nil {
				return err
			}
			out, err := config.View(f)
			if err != nil {
				return err
			}
			_, err = app.Streams.Out.Write(out)
			return err
		},
	}
}
