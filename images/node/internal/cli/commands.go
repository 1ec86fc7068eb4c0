package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/minictl/mini/images/node/internal/addons"
	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/server"
)

// Version information, stamped at build time.
type Version struct {
	Kubernetes string
	Revision   string
}

// Runners let tests replace what the commands start.
type Runners struct {
	Server func(context.Context, *config.Server) error
	Agent  func(context.Context, *config.Agent) error
}

// DefaultRunners start real components.
func DefaultRunners() Runners {
	return Runners{Server: server.Run, Agent: runAgent}
}

// NewRoot returns mini-node's root command.
func NewRoot(v Version, r Runners, getenv func(string) string, stdout io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "mini-node",
		Short:         "A Kubernetes node in one binary: server, agent, kubectl, containerd, ctr, crictl",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       fmt.Sprintf("%s-%s", v.Kubernetes, v.Revision),
	}
	root.SetOut(stdout)
	root.AddCommand(newServerCommand(r, getenv), newAgentCommand(r, getenv), newEtcdCommand(), &cobra.Command{
		Use:   "version",
		Short: "Print the node's version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "mini-node %s-%s (Kubernetes %s)\n", v.Kubernetes, v.Revision, v.Kubernetes)
			return nil
		},
	})
	return root
}

func newServerCommand(r Runners, getenv func(string) string) *cobra.Command {
	cfg := config.NewServer()
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run a control-plane node (and, unless --disable-agent, its kubelet)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd.Flags(), serverEnv, getenv); err != nil {
				return err
			}
			if err := cfg.Validate(addons.Validate); err != nil {
				return err
			}
			if err := cfg.Complete(); err != nil {
				return err
			}
			return r.Server(cmd.Context(), cfg)
		},
	}
	addServerFlags(cmd.Flags(), cfg)
	return cmd
}

func newAgentCommand(r Runners, getenv func(string) string) *cobra.Command {
	cfg := config.NewAgent()
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run a worker node that joins --server with --token",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd.Flags(), agentEnv, getenv); err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			if err := cfg.Complete(); err != nil {
				return err
			}
			return r.Agent(cmd.Context(), cfg)
		},
	}
	addAgentFlags(cmd.Flags(), cfg)
	return cmd
}
