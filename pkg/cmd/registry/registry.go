package registry

import (
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/version"
)

// NewCommand returns `mini registry`.
func NewCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "registry",
		Aliases: []string{"registries", "reg"},
		Short:   "Create, list and delete local image registries",
		Args:    cli.NoArgs,
	}
	cmd.AddCommand(newCreateCommand(app), newListCommand(app), newDeleteCommand(app))
	return cmd
}

func newCreateCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a registry published on localhost, for clusters to use with --registry-use",
		Long: "Create a registry container (distribution v3) named mini-registry-NAME, published on the host\n" +
			"(127.0.0.1, first free port from 5001 unless --port says otherwise).\n\n" +
			"Push to it from the host as localhost:PORT/IMAGE; a cluster created with --registry-use NAME pulls the\n" +
			"same reference, as its nodes map localhost:PORT to the registry. With --proxy-remote-url it is a\n" +
			"pull-through cache of that registry, and clusters using it also pull that registry's images through it.",
		Example: "  mini registry create dev\n  mini registry create dev --port 127.0.0.1:5050\n" +
			"  mini registry create hub --proxy-remote-url https://registry-1.docker.io",
		Args: cli.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			r, err := p.CreateRegistry(cmd.Context(), cluster.RegistryCreateOptions{
				Name:            args[0],
				Port:            v.GetString("port"),
				ProxyRemoteURL:  v.GetString("proxy-remote-url"),
				ProxyUsername:   v.GetString("proxy-username"),
				ProxyPassword:   v.GetString("proxy-password"),
				Volume:          v.GetString("volume"),
				Image:           v.GetString("image"),
				ImageRepository: v.GetString(cli.ImageRepositoryFlag),
				Pull:            cluster.PullPolicy(v.GetString(cli.PullFlag)),
			})
			if err != nil {
				return err
			}
			_, err = app.Streams.Out.Write([]byte(r.Host + "\n"))
			return err
		},
	}
	f := cmd.Flags()
	f.String("port", "", "[HOST:]PORT to publish the registry on (default: 127.0.0.1 and the first free port from 5001)")
	f.String("proxy-remote-url", "", "make the registry a pull-through cache of this registry URL")
	f.String("proxy-username", "", "user name for the --proxy-remote-url registry")
	f.String("proxy-password", "", "password for the --proxy-remote-url registry")
	f.String("volume", "", "named volume or host path for the registry's data (default: a volume deleted with the registry)")
	f.StringP("image", "i", "", "registry image (default "+version.DefaultImages().Registry+", under --image-repository)")
	cli.AddImageRepositoryFlag(f)
	cli.AddPullFlag(f)
	return cmd
}

func newListCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list [NAME...]",
		Aliases: []string{"ls", "get"},
		Short:   "List registries",
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			out := v.GetString("output")
			if err := cli.CheckOutput(out); err != nil {
				return err
			}
			regs, err := p.Registries(cmd.Context(), args...)
			if err != nil {
				return err
			}
			if out != cli.OutputTable {
				if regs == nil {
					regs = []cluster.Registry{}
				}
				return cli.PrintData(app.Streams.Out, out, regs)
			}
			rows := make([][]string, 0, len(regs))
			for _, r := range regs {
				nets := make([]string, 0, len(r.Networks))
				for n := range r.Networks {
					if n != cluster.RegistryNetwork {
						nets = append(nets, n)
					}
				}
				sort.Strings(nets)
				rows = append(rows, []string{r.Name, r.Host, r.State, dash(r.ProxyRemoteURL), dash(r.Owner), dash(strings.Join(nets, ","))})
			}
			return cli.PrintTable(app.Streams.Out, []string{"NAME", "HOST", "STATE", "PROXY", "OWNER", "NETWORKS"}, rows, v.GetBool("no-headers"))
		},
	}
	cmd.Flags().StringP("output", "o", cli.OutputTable, "output format: table, json or yaml")
	cmd.Flags().Bool("no-headers", false, "omit the table header")
	return cmd
}

func newDeleteCommand(app *cli.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "delete NAME...|--all",
		Aliases: []string{"rm"},
		Short:   "Delete registries, with the data volume mini made for them",
		RunE: func(cmd *cobra.Command, args []string) error {
			v, p, err := app.Setup(cmd)
			if err != nil {
				return err
			}
			all := v.GetBool("all")
			if err := cli.NamesOrAll(args, all, "registry"); err != nil {
				return err
			}
			return p.DeleteRegistries(cmd.Context(), args, all)
		},
	}
	cmd.Flags().BoolP("all", "a", false, "delete every registry")
	return cmd
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
