//go:build mini_crictl

package crictl

import "os"

// Run runs crictl with argv (program name first). Upstream's run reads
// os.Args and returns its error instead of exiting; this process is crictl
// from here on, so replacing os.Args is safe.
func Run(argv []string) error {
	os.Args = argv
	return run()
}
