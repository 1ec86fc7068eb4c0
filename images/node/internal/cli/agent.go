package cli

import (
	"context"
	"errors"

	"github.com/minictl/mini/images/node/internal/config"
)

// errJoinUnsupported: joining a separate agent to a server needs the
// credential bootstrap of the multi-node work; until it lands the command
// validates its flags and refuses clearly instead of half-starting a node.
var errJoinUnsupported = errors.New("agent: joining a server from a separate node is not supported by this node image yet; run a server (its agent runs in-process)")

func runAgent(context.Context, *config.Agent) error { return errJoinUnsupported }
