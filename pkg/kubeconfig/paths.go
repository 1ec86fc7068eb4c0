package kubeconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// Paths says where the user's kubeconfig lives. The CLI fills it from the
// --kubeconfig flag, $KUBECONFIG and the home directory; the library never
// reads the environment itself.
type Paths struct {
	// Explicit is the --kubeconfig flag; it overrides everything.
	Explicit string
	// Env is the value of $KUBECONFIG, a list joined by os.PathListSeparator.
	Env string
	// Home is the user's home directory (for ~/.kube/config).
	Home string
}

// Files returns the files in kubectl's precedence order.
func (p Paths) Files() ([]string, error) {
	if p.Explicit != "" {
		return []string{p.Explicit}, nil
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range filepath.SplitList(p.Env) {
		if f = strings.TrimSpace(f); f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	if p.Home == "" {
		return nil, errors.New("no kubeconfig file: set --kubeconfig or $KUBECONFIG, or $HOME for ~/.kube/config")
	}
	return []string{filepath.Join(p.Home, ".kube", "config")}, nil
}

// defaultFile is where kubectl puts a new entry: the only file; else the
// first of $KUBECONFIG's files that exists, the last when none does.
func defaultFile(files []string) string {
	if len(files) == 1 {
		return files[0]
	}
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			return f
		}
	}
	return files[len(files)-1]
}
