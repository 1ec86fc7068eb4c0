package image

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
)

// NewCommand returns `mini image`.
func NewCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "image",
		Aliases: []string{"images"},
		Short:   "Get images into the nodes of a cluster; bundle mini's own images for air-gapped hosts",
		Args:    cli.NoArgs,
	}
	cmd.AddCommand(newImportCommand(app), newBundleCommand(app))
	return cmd
}

func newImportCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "import IMAGE|ARCHIVE|- ...",
		Aliases: []string{"load"},
		Short:   "Stream images of the Docker engine, archives or stdin into every node's containerd",
		Long: "Import images into the containerd of a cluster's nodes (namespace k8s.io, where kubelet finds them).\n\n" +
			"Each argument is an image of the engine (NAME[:TAG]), an archive written by `docker save` (or an OCI\n" +
			"archive, possibly gzipped), or - for an archive on standard input. The stream is copied to all selected\n" +
			"nodes at once, with no temporary file and no helper container. A node that already holds an image under\n" +
			"the same name and ID is skipped. Pods use imported images with imagePullPolicy IfNotPresent or Never;\n" +
			"they survive node restarts.",
		Example: "  mini image import app:dev -c dev\n  docker save app:dev | mini image import - -c dev --nodes agents:*\n" +
			"  mini image import ./app.tar -c dev --platform linux/arm64",
		Args: cli.MinArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			out := v.GetString("output")
			if err := cli.CheckOutput(out); err != nil {
				return err
			}
			res, err := p.ImportImages(cmd.Context(), cluster.ImageImportOptions{
				Cluster:  v.GetString("cluster"),
				Sources:  args,
				Stdin:    app.Streams.In,
				Nodes:    v.GetString("nodes"),
				Platform: v.GetString("platform"),
			})
			if res == nil {
				return err
			}
			if perr := printResults(app, out, v.GetBool("no-headers"), res); perr != nil && err == nil {
				err = perr
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringP("cluster", "c", cli.DefaultCluster, "cluster to import into")
	f.String("nodes", "", "node filter selecting the nodes, e.g. agents:* or server:0;agent:1 (default: every server and agent)")
	f.String("platform", "", "OS/ARCH[/VARIANT] to import from a multi-platform archive (default: the nodes' own)")
	f.StringP("output", "o", cli.OutputTable, "output format: table, json or yaml")
	f.Bool("no-headers", false, "omit the table header")
	return cmd
}

func printResults(app *cli.App, out string, noHeaders bool, res []cluster.ImageImportResult) error {
	if out != cli.OutputTable {
		return cli.PrintData(app.Streams.Out, out, res)
	}
	rows := make([][]string, 0, len(res))
	for _, r := range res {
		rows = append(rows, []string{r.Node, join(r.Imported), join(r.Skipped), mb(r.Bytes), r.Duration.Round(100 * time.Millisecond).String()})
	}
	return cli.PrintTable(app.Streams.Out, []string{"NODE", "IMPORTED", "SKIPPED", "MB", "TIME"}, rows, noHeaders)
}
func join(items []string) string {
	if len(items) == 0 {
		return "-"
	}
	return strings.Join(items, ",")
}

func mb(n int64) string { return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) }
