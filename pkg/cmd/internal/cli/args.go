package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// NoArgs refuses positional arguments with a usage error.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &UsageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args)}
	}
	return nil
}

// ExactArgs wants exactly n arguments.
func ExactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return &UsageError{fmt.Errorf("%s wants %d argument(s), got %d", cmd.CommandPath(), n, len(args))}
		}
		return nil
	}
}

// MaxArgs wants at most n arguments.
func MaxArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > n {
			return &UsageError{fmt.Errorf("%s wants at most %d argument(s), got %d", cmd.CommandPath(), n, len(args))}
		}
		return nil
	}
}

// NamesOrAll wants names of a kind ("cluster", "registry") or --all,
// not both and not neither.
func NamesOrAll(args []string, all bool, kind string) error {
	switch {
	case all && len(args) > 0:
		return &UsageError{fmt.Errorf("give %s names or --all, not both", kind)}
	case !all && len(args) == 0:
		return &UsageError{fmt.Errorf("give at least one %s name, or --all", kind)}
	}
	return nil
}

// MinArgs wants at least n arguments.
func MinArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return &UsageError{fmt.Errorf("%s wants at least %d argument(s), got %d", cmd.CommandPath(), n, len(args))}
		}
		return nil
	}
}
