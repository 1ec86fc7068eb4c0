package cmd

import (
	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/version"
)

type versionInfo struct {
	Version           string `json:"version" yaml:"version"`
	KubernetesVersion string `json:"kubernetesVersion" yaml:"kubernetesVersion"`
	NodeImage         string `json:"nodeImage" yaml:"nodeImage"`
	LoadBalancerImage string `json:"loadBalancerImage" yaml:"loadBalancerImage"`
	RegistryImage     string `json:"registryImage" yaml:"registryImage"`
}

func newVersionCommand(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print mini's version and the images it runs",
		Args:  cli.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := cli.Bind(cmd)
			if err != nil {
				return err
			}
			images, err := cli.DefaultImages(v)
			if err != nil {
				return err
			}
			info := versionInfo{version.Version, version.KubernetesVersion, images.Node, images.LB, images.Registry}
			switch o := v.GetString("output"); o {
			case cli.OutputJSON, cli.OutputYAML:
				return cli.PrintData(app.Streams.Out, o, info)
			case cli.OutputTable:
				return cli.PrintTable(app.Streams.Out, nil, [][]string{
					{"mini:", info.Version},
					{"kubernetes:", info.KubernetesVersion},
					{"node image:", info.NodeImage},
					{"lb image:", info.LoadBalancerImage},
					{"registry image:", info.RegistryImage},
				}, true)
			default:
				return cli.CheckOutput(o)
			}
		},
	}
	cmd.Flags().StringP("output", "o", cli.OutputTable, "output format: table, json or yaml")
	cli.AddImageRepositoryFlag(cmd.Flags())
	return cmd
}
