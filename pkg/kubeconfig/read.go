package kubeconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"github.com/minictl/mini/pkg/runtime"
)

// NodePath is where the node writes its admin kubeconfig (mini-node's
// --write-kubeconfig default), once its API server is ready.
const NodePath = "/etc/mini/kubeconfig.yaml"

// Read returns the kubeconfig a server node wrote. The node writes it only
// once its API server is ready, so `cat` is retried on a non-zero exit code
// until it succeeds or ctx ends; any other failure is returned at once.
func Read(ctx context.Context, rt runtime.Runtime, container string, interval time.Duration) ([]byte, error) {
	var lastErr string
	for {
		var stdout, stderr bytes.Buffer
		code, err := rt.Exec(ctx, container, runtime.ExecSpec{Cmd: []string{"cat", NodePath}, Stdout: &stdout, Stderr: &stderr})
		switch {
		case errors.Is(err, runtime.ErrConflict):
			// The engine refuses execs while it restarts the node under
			// its restart policy ("is restarting"): a failing node gets
			// its chance until ctx ends, like one still booting.
			lastErr = err.Error()
		case err != nil:
			return nil, fmt.Errorf("reading kubeconfig from %s: %w", container, err)
		case code == 0 && stdout.Len() > 0:
			return stdout.Bytes(), nil
		default:
			lastErr = stderr.String()
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %s in %s (last error: %q): %w", NodePath, container, lastErr, ctx.Err())
		case <-time.After(interval):
		}
	}
}

// Names are the entry names mini gives a cluster in a kubeconfig.
type Names struct {
	Context string
	Cluster string
	User    string
}

// Rewrite turns the node's kubeconfig (entries named "default", server
// https://127.0.0.1:6443 inside the container) into one for the host:
// server set to the published API address and entries renamed.
func Rewrite(raw []byte, server string, names Names) (*clientcmdapi.Config, error) {
	in, err := clientcmd.Load(raw)
	if err != nil {
		return nil, fmt.Errorf("parsing the node's kubeconfig: %w", err)
	}
	ctxName := in.CurrentContext
	if ctxName == "" {
		ctxName = "default"
	}
	kctx, ok := in.Contexts[ctxName]
	if !ok {
		return nil, fmt.Errorf("the node's kubeconfig has no context %q", ctxName)
	}
	cluster, ok := in.Clusters[kctx.Cluster]
	if !ok {
		return nil, fmt.Errorf("the node's kubeconfig has no cluster %q", kctx.Cluster)
	}
	user, ok := in.AuthInfos[kctx.AuthInfo]
	if !ok {
		return nil, fmt.Errorf("the node's kubeconfig has no user %q", kctx.AuthInfo)
	}
	out := clientcmdapi.NewConfig()
	c := cluster.DeepCopy()
	c.Server = server
	c.LocationOfOrigin = ""
	u := user.DeepCopy()
	u.LocationOfOrigin = ""
	out.Clusters[names.Cluster] = c
	out.AuthInfos[names.User] = u
	out.Contexts[names.Context] = &clientcmdapi.Context{Cluster: names.Cluster, AuthInfo: names.User}
	out.CurrentContext = names.Context
	return out, nil
}
