package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// SetupGroups makes every command of root's tree that only holds
// subcommands (mini, mini cluster, …) refuse an unknown subcommand with a
// usage error, and print its help when called alone. Cobra's own handling
// differs by level: `mini nosuch` is a plain error (exit 1) and `mini
// cluster nosuch` prints the help and succeeds (exit 0), which hides typos
// in scripts.
func SetupGroups(root *cobra.Command) {
	walk(root, func(c *cobra.Command) {
		if !c.HasSubCommands() || c.Runnable() {
			return
		}
		c.Args = subcommandArgs
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2 // cobra's default, which SuggestionsFor does not apply
		}
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		c.DisableFlagsInUseLine = true // "mini cluster" alone prints this help
	})
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}

// subcommandArgs refuses arguments of a group command: the first one is a
// subcommand that does not exist.
func subcommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return &UsageError{fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath())}
}
