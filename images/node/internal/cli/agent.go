package cli

import (
	"context"

	"github.com/minictl/mini/images/node/internal/agent"
	"github.com/minictl/mini/images/node/internal/config"
)

func runAgent(ctx context.Context, cfg *config.Agent) error { return agent.RunJoined(ctx, cfg) }
