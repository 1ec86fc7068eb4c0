package loadbalancer

import (
	"context"
	"fmt"
	"strings"

	"github.com/minictl/mini/pkg/runtime"
)

// applyScript replaces the config atomically and reloads nginx. It waits
// (bounded) for nginx's pid file because a just-started container may not
// have written it yet; a config that fails `nginx -t` is rolled back.
const applyScript = `set -eu
dir=` + ConfigDir + `
f="$dir/` + ConfigFile + `"
mkdir -p "$dir"
cat > "$dir/.new"
[ -f "$f" ] && cp "$f" "$dir/.old"
mv -f "$dir/.new" "$f"
if ! nginx -t -q; then
  if [ -f "$dir/.old" ]; then mv -f "$dir/.old" "$f"; else rm -f "$f"; fi
  echo "nginx rejected the new configuration" >&2
  exit 1
fi
rm -f "$dir/.old"
i=0
while [ ! -s /run/nginx.pid ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
nginx -s reload
`

// Apply writes the rendered configuration into a running load balancer and
// reloads it in place; a non-zero exit code becomes a *runtime.ExecError.
func Apply(ctx context.Context, rt runtime.Runtime, container string, cfg Config) error {
	text, err := Render(cfg)
	if err != nil {
		return err
	}
	if _, err := runtime.Run(ctx, rt, container, strings.NewReader(text), "sh", "-c", applyScript); err != nil {
		return fmt.Errorf("applying load balancer config in %s: %w", container, err)
	}
	return nil
}

// Seed copies the rendered configuration into a created, not yet started,
// load balancer container, so nginx starts with it and no reload is needed.
func Seed(ctx context.Context, rt runtime.Runtime, container string, cfg Config) error {
	text, err := Render(cfg)
	if err != nil {
		return err
	}
	buf, err := runtime.TarFiles(map[string][]byte{ConfigFile: []byte(text)})
	if err != nil {
		return err
	}
	if err := rt.CopyTo(ctx, container, ConfigDir, buf); err != nil {
		return fmt.Errorf("seeding load balancer config in %s: %w", container, err)
	}
	return nil
}
