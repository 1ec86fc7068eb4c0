package kubeconfig

import (
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// DefaultLockTimeout is how long Store waits for another writer's lock.
const DefaultLockTimeout = 10 * time.Second

// Store writes a user's kubeconfig files.
type Store struct {
	Paths       Paths
	LockTimeout time.Duration
}

// session holds the locked, loaded files of one update.
type session struct {
	files   []string
	configs map[string]*clientcmdapi.Config
	unlock  []func()
}

// open locks and loads the kubeconfig files; with existingOnly, files that
// do not exist are left out (removing entries must not create files or
// directories).
func (s Store) open(existingOnly bool) (*session, error) {
	files, err := s.Paths.Files()
	if err != nil {
		return nil, err
	}
	if existingOnly {
		var existing []string
		for _, f := range files {
			if _, err := os.Stat(f); err == nil {
				existing = append(existing, f)
			}
		}
		files = existing
	}
	timeout := s.LockTimeout
	if timeout == 0 {
		timeout = DefaultLockTimeout
	}
	ss := &session{files: files, configs: map[string]*clientcmdapi.Config{}}
	// Lock in sorted order so two writers never wait on each other in a cycle.
	sorted := append([]string(nil), files...)
	sort.Strings(sorted)
	for _, f := range sorted {
		unlock, err := lock(f, timeout)
		if err != nil {
			ss.close()
			return nil, err
		}
		ss.unlock = append(ss.unlock, unlock)
	}
	// Load only after locking so a concurrent writer's update is not lost.
	for _, f := range files {
		cfg, err := load(f)
		if err != nil {
			ss.close()
			return nil, err
		}
		ss.configs[f] = cfg
	}
	return ss, nil
}

func (s *session) close() {
	for _, u := range s.unlock {
		u()
	}
}

func (s *session) has(f string, n Names) bool {
	c := s.configs[f]
	_, a := c.Contexts[n.Context]
	_, b := c.Clusters[n.Cluster]
	_, u := c.AuthInfos[n.User]
	return a || b || u
}

// Merge adds or replaces the cluster's entries (named by names) taken from
// cfg, and makes its context current when switchContext is set. It returns
// the file it wrote the entries to.
func (s Store) Merge(cfg *clientcmdapi.Config, names Names, switchContext bool) (string, error) {
	ss, err := s.open(false)
	if err != nil {
		return "", err
	}
	defer ss.close()
	dest := ""
	for _, f := range ss.files {
		if ss.has(f, names) {
			dest = f
			break
		}
	}
	if dest == "" {
		dest = defaultFile(ss.files)
	}
	changed := map[string]bool{dest: true}
	d := ss.configs[dest]
	d.Clusters[names.Cluster] = cfg.Clusters[names.Cluster]
	d.AuthInfos[names.User] = cfg.AuthInfos[names.User]
	d.Contexts[names.Context] = cfg.Contexts[names.Context]
	if switchContext {
		// kubectl takes current-context from the first file that sets one,
		// so that is the one to change.
		ccFile := dest
		for _, f := range ss.files {
			if ss.configs[f].CurrentContext != "" {
				ccFile = f
				break
			}
		}
		ss.configs[ccFile].CurrentContext = names.Context
		changed[ccFile] = true
	}
	for _, f := range ss.files {
		if changed[f] {
			if err := writeAtomic(f, ss.configs[f]); err != nil {
				return "", err
			}
		}
	}
	return dest, nil
}

// Remove deletes the cluster's entries from every file that has them and
// clears current-context where it named the cluster. Missing entries are
// fine: delete must be idempotent.
func (s Store) Remove(names Names) error {
	ss, err := s.open(true)
	if err != nil {
		return err
	}
	defer ss.close()
	for _, f := range ss.files {
		c := ss.configs[f]
		if !ss.has(f, names) && c.CurrentContext != names.Context {
			continue
		}
		delete(c.Contexts, names.Context)
		delete(c.Clusters, names.Cluster)
		delete(c.AuthInfos, names.User)
		if c.CurrentContext == names.Context {
			c.CurrentContext = ""
		}
		if err := writeAtomic(f, c); err != nil {
			return err
		}
	}
	return nil
}

// Write serialises a kubeconfig to w (for `mini kubeconfig get`).
func Write(w io.Writer, cfg *clientcmdapi.Config) error {
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("serialising kubeconfig: %w", err)
	}
	_, err = w.Write(data)
	return err
}
