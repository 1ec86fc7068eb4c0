package kubeconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// lock takes kubectl's lock for file: "<file>.lock" created exclusively. It
// retries until timeout because another kubectl or mini may hold it briefly.
func lock(file string, timeout time.Duration) (func(), error) {
	lockPath := file + ".lock"
	if err := os.MkdirAll(filepath.Dir(lockPath), 0o700); err != nil {
		return nil, fmt.Errorf("creating directory for %s: %w", lockPath, err)
	}
	deadline := time.Now().Add(timeout)
	for {
		f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			_ = f.Close()
			return func() { _ = os.Remove(lockPath) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("locking kubeconfig %s: %w", file, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("kubeconfig %s is locked by %s for more than %s; remove that file if no kubectl or mini is running", file, lockPath, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// load reads a kubeconfig file; a missing file is an empty config.
func load(file string) (*clientcmdapi.Config, error) {
	cfg, err := clientcmd.LoadFromFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return clientcmdapi.NewConfig(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading kubeconfig %s: %w", file, err)
	}
	return cfg, nil
}

// writeAtomic replaces file's content in one rename so a reader never sees
// a half-written kubeconfig. A symlink is followed so the link survives and
// its target is updated.
func writeAtomic(file string, cfg *clientcmdapi.Config) error {
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return fmt.Errorf("serialising kubeconfig %s: %w", file, err)
	}
	target := file
	if resolved, err := filepath.EvalSymlinks(file); err == nil {
		target = resolved
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating directory for kubeconfig %s: %w", target, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", target, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("writing kubeconfig %s: %w", target, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("writing kubeconfig %s: %w", target, err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("writing kubeconfig %s: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing kubeconfig %s: %w", target, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("replacing kubeconfig %s: %w", target, err)
	}
	return nil
}
