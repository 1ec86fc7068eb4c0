package cmd

import (
	"context"
	"fmt"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	clustercmd "github.com/minictl/mini/pkg/cmd/cluster"
	configcmd "github.com/minictl/mini/pkg/cmd/config"
	doctorcmd "github.com/minictl/mini/pkg/cmd/doctor"
	imagecmd "github.com/minictl/mini/pkg/cmd/image"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
	kubeconfigcmd "github.com/minictl/mini/pkg/cmd/kubeconfig"
	nodecmd "github.com/minictl/mini/pkg/cmd/node"
	registrycmd "github.com/minictl/mini/pkg/cmd/registry"
)

// App and friends are re-exported so main and tests can build one.
type (
	App     = cli.App
	Streams = cli.Streams
)

// ExitCode maps an error from Run to the process exit code.
func ExitCode(err error) int { return cli.ExitCode(err) }

// Run executes mini with args (without the program name).
func Run(ctx context.Context, app *App, args []string) error {
	root := NewRootCommand(app)
	root.SetArgs(args)
	return root.ExecuteContext(ctx)
}

// NewRootCommand returns the `mini` command with every subcommand.
func NewRootCommand(app *App) *cobra.Command {
	var verbose, trace, timestamps, quiet bool
	root := &cobra.Command{
		Use:   "mini",
		Short: "Real Kubernetes clusters in Docker, in seconds",
		Long: "mini starts Kubernetes clusters whose nodes are Docker containers.\n\n" +
			"Every flag can also be set from the environment as MINI_<FLAG> (e.g. MINI_API_PORT).",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if quiet && (verbose || trace) {
				return &cli.UsageError{Err: fmt.Errorf("--quiet cannot be used with --verbose or --trace")}
			}
			app.Logger.SetOutput(app.Streams.ErrOut)
			app.Logger.SetFormatter(&cli.Formatter{Timestamps: timestamps, Color: cli.UseColor(app.Streams.ErrOut, app.Getenv)})
			switch {
			case quiet:
				app.Logger.SetLevel(logrus.ErrorLevel)
			case trace:
				app.Logger.SetLevel(logrus.TraceLevel)
			case verbose:
				app.Logger.SetLevel(logrus.DebugLevel)
			default:
				app.Logger.SetLevel(logrus.InfoLevel)
			}
			return nil
		},
	}
	root.SetIn(app.Streams.In)
	root.SetOut(app.Streams.Out)
	root.SetErr(app.Streams.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &cli.UsageError{Err: err} })
	pf := root.PersistentFlags()
	pf.BoolVarP(&verbose, "verbose", "V", false, "log debug details")
	pf.BoolVar(&trace, "trace", false, "log even more than --verbose")
	pf.BoolVar(&timestamps, "timestamps", false, "prefix log lines with a timestamp")
	pf.BoolVarP(&quiet, "quiet", "q", false, "log errors only: no progress lines, notices or warnings on stderr")
	pf.String("kubeconfig", "", "kubeconfig file to update or read (default: $KUBECONFIG, then ~/.kube/config)")
	root.AddCommand(
		clustercmd.NewCommand(app),
		nodecmd.NewCommand(app),
		imagecmd.NewCommand(app),
		registrycmd.NewCommand(app),
		kubeconfigcmd.NewCommand(app),
		configcmd.NewCommand(app),
		doctorcmd.NewCommand(app),
		newVersionCommand(app),
		newCompletionCommand(app),
	)
	cli.SetupGroups(root)
	return root
}

func newCompletionCommand(app *App) *cobra.Command {
	return &cobra.Command{
		Use:       "completion bash|zsh|fish|powershell",
		Short:     "Print a shell completion script",
		Args:      cli.ExactArgs(1),
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := app.Streams.Out
			root := cmd.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return &cli.UsageError{Err: fmt.Errorf("unknown shell %q: want bash, zsh, fish or powershell", args[0])}
		},
	}
}
