// Package tools runs the conveniences bundled with the node — kubectl in
// process, ctr and crictl by exec — preconfigured to talk to this node's
// API server and containerd, like k3s's kubectl/ctr/crictl subcommands.
package tools

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	kubectlcmd "k8s.io/kubectl/pkg/cmd"

	"github.com/minictl/mini/images/node/internal/config"
)

// Is tells whether name is a bundled tool.
func Is(name string) bool {
	switch name {
	case "kubectl", "ctr", "crictl":
		return true
	}
	return false
}

// Run runs tool name with args. ctr and crictl replace the process.
func Run(name string, args []string) error {
	switch name {
	case "kubectl":
		if os.Getenv("KUBECONFIG") == "" {
			if _, err := os.Stat(config.DefaultKubeconfig); err == nil {
				os.Setenv("KUBECONFIG", config.DefaultKubeconfig)
			}
		}
		cmd := kubectlcmd.NewDefaultKubectlCommand()
		cmd.SetArgs(args)
		return cmd.Execute()
	case "ctr":
		return execTool("ctr", append([]string{"--address", config.ContainerdSocket, "--namespace", "k8s.io"}, args...))
	case "crictl":
		return execTool("crictl", append([]string{"--runtime-endpoint", "unix://" + config.ContainerdSocket,
			"--image-endpoint", "unix://" + config.ContainerdSocket}, args...))
	}
	return fmt.Errorf("unknown tool %q", name)
}

func execTool(name string, args []string) error {
	path := filepath.Join(config.BinDir, name)
	// /usr/local/bin/ctr is the real binary, never a link back to mini-node.
	if err := syscall.Exec(path, append([]string{path}, args...), os.Environ()); err != nil {
		return fmt.Errorf("exec %s: %w", path, err)
	}
	return nil
}
