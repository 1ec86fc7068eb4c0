// Package tools runs the programs bundled into mini-node, k3s-style: one
// binary is the node, kubectl, containerd, ctr and crictl, so every tool in
// the image shares one copy of gRPC, protobuf and the Kubernetes client
// libraries (issue #13: three separate binaries carried ~60 MB of copies).
// The node calls containerd through a link of that name; users reach the
// others through links or as "mini-node ctr ...". The clients default to
// this node's API server and containerd, and a user's own flags or
// environment win.
package tools

import (
	"context"
	"fmt"
	"os"

	containerd "github.com/containerd/containerd/v2/cmd/containerd/command"
	ctr "github.com/containerd/containerd/v2/cmd/ctr/app"
	kubectlcmd "k8s.io/kubectl/pkg/cmd"

	// containerd's plugins (CRI, snapshotters, runtime), registered by init
	// exactly as upstream's containerd main does.
	_ "github.com/containerd/containerd/v2/cmd/containerd/builtins"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/crictl"
)

// Names are the tools mini-node runs, in the order its help lists them.
var Names = []string{"kubectl", "containerd", "ctr", "crictl"}

// Is tells whether name is a bundled tool.
func Is(name string) bool {
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}

// defaults are the environment each client gets unless the caller set the
// variable: the tools' own variables, so a flag on the command line still
// overrides them and nothing is passed twice.
func defaults(name string) map[string]string {
	socket := config.ContainerdSocket
	switch name {
	case "kubectl":
		if _, err := os.Stat(config.DefaultKubeconfig); err == nil {
			return map[string]string{"KUBECONFIG": config.DefaultKubeconfig}
		}
	case "ctr":
		return map[string]string{"CONTAINERD_ADDRESS": socket, "CONTAINERD_NAMESPACE": "k8s.io"}
	case "crictl":
		return map[string]string{
			"CONTAINER_RUNTIME_ENDPOINT": "unix://" + socket,
			"IMAGE_SERVICE_ENDPOINT":     "unix://" + socket,
		}
	}
	return nil
}

// applyDefaults sets name's defaults that the environment does not set.
func applyDefaults(name string) error {
	for k, v := range defaults(name) {
		if _, set := os.LookupEnv(k); !set {
			if err := os.Setenv(k, v); err != nil {
				return fmt.Errorf("set %s: %w", k, err)
			}
		}
	}
	return nil
}

// Run runs tool name with args (without the program name) in this process.
func Run(ctx context.Context, name string, args []string) error {
	if err := applyDefaults(name); err != nil {
		return err
	}
	argv := append([]string{name}, args...)
	switch name {
	case "kubectl":
		cmd := kubectlcmd.NewDefaultKubectlCommand()
		cmd.SetArgs(args)
		return cmd.ExecuteContext(ctx)
	case "containerd":
		return containerd.App().Run(ctx, argv)
	case "ctr":
		return ctr.New().Run(ctx, argv)
	case "crictl":
		return crictl.Run(argv)
	}
	return fmt.Errorf("unknown tool %q", name)
}
