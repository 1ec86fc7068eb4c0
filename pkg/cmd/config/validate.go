package config

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

func newValidateCommand(app *cli.App) *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check config files: every problem, with its field and line; exit 1 if any",
		Long: "Check config files as `mini cluster create -c` does before it creates anything: unknown fields,\n" +
			"values of the wrong type and every value mini would refuse, each with its field path and line.\n" +
			"A valid file prints FILE: valid. - reads stdin.",
		Args: cli.MinArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			var errs []error
			for _, path := range args {
				if _, err := app.ReadConfig(path, true); err != nil {
					errs = append(errs, err)
					continue
				}
				if _, err := fmt.Fprintf(app.Streams.Out, "%s: valid\n", path); err != nil {
					return err
				}
			}
			return errors.Join(errs...)
		},
	}
}
