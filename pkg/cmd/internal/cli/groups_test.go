package cli

import (
	"errors"
	"testing"

	"github.com/spf13/cobra"
)

func TestSetupGroups(t *testing.T) {
	ran := false
	leaf := &cobra.Command{Use: "list", RunE: func(*cobra.Command, []string) error { ran = true; return nil }}
	group := &cobra.Command{Use: "cluster"}
	group.AddCommand(leaf)
	root := &cobra.Command{Use: "mini", SilenceErrors: true, SilenceUsage: true}
	root.AddCommand(group)
	SetupGroups(root)
	if leaf.Args != nil {
		t.Error("a leaf command was changed")
	}
	for _, args := range [][]string{{"nosuch"}, {"cluster", "lsit"}} {
		root.SetArgs(args)
		var ue *UsageError
		if err := root.Execute(); !errors.As(err, &ue) {
			t.Errorf("%v: %v, want a usage error", args, err)
		}
	}
	root.SetArgs([]string{"cluster", "list"})
	if err := root.Execute(); err != nil || !ran {
		t.Errorf("cluster list: %v (ran %v)", err, ran)
	}
}
