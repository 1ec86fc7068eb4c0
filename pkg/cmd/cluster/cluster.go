package cluster

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

// NewCommand returns `mini cluster`.
func NewCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "cluster",
		Aliases: []string{"clusters", "c"},
		Short:   "Create, delete, edit, list, start and stop clusters",
		Args:    cli.NoArgs,
	}
	cmd.AddCommand(newCreateCommand(app), newDeleteCommand(app), newEditCommand(app), newListCommand(app),
		newLogsCommand(app), newStartCommand(app), newStopCommand(app), newRestartCommand(app))
	return cmd
}
