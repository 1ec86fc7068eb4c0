package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/config/v1alpha1"
)

// NewCommand returns `mini config`.
func NewCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Write, check, show and convert cluster config files (mini cluster create -c FILE)",
		Long: "A config file holds the options of `mini cluster create` (apiVersion " + v1alpha1.APIVersion + ",\n" +
			"kind " + v1alpha1.Kind + "); flags and MINI_* variables override it. k3d's k3d.io/v1alpha5 files are read too.\n" +
			"Reference: docs/config.md; JSON Schema for editors: docs/schema/cluster-v1alpha1.json.",
		Args: cli.NoArgs,
	}
	cmd.AddCommand(newInitCommand(app), newValidateCommand(app), newViewCommand(app), newMigrateCommand(app))
	return cmd
}

// addOutputFlags adds -o and --force to a command that writes a file.
func addOutputFlags(cmd *cobra.Command, what string) {
	cmd.Flags().StringP("output", "o", "", "file to write "+what+" to (default: stdout)")
	cmd.Flags().Bool("force", false, "overwrite the output file if it exists")
}

// write puts data in the file named by -o, or on stdout. An existing file
// is kept unless --force: a starter or a migration written over a file
// someone edited would lose their work.
func write(app *cli.App, path string, force bool, data []byte) error {
	if path == "" || path == "-" {
		_, err := app.Streams.Out.Write(data)
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if !force {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: --force overwrites it", path)
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	app.Logger.Infof("Wrote %s", path)
	return nil
}
