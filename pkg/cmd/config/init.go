package config

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/config"
)

func newInitCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "init [-o FILE]",
		Short:   "Write a commented starter config file: every option at its default or as an example",
		Example: "  mini config init -o cluster.yaml && mini cluster create -c cluster.yaml",
		Args:    cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := cli.Bind(cmd)
			if err != nil {
				return err
			}
			name := v.GetString("name")
			if err := cluster.ValidateName(name); err != nil {
				return &cli.UsageError{Err: err}
			}
			return write(app, v.GetString("output"), v.GetBool("force"), config.Starter(name))
		},
	}
	addOutputFlags(cmd, "the file")
	cmd.Flags().String("name", config.DefaultName, "cluster name (metadata.name)")
	return cmd
}
