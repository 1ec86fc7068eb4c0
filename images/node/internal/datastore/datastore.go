package datastore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/k3s-io/kine/pkg/endpoint"
)

// Kind names the datastore behind the apiserver.
type Kind string

// Datastore kinds.
const (
	SQLite       Kind = "sqlite"
	Kine         Kind = "kine"
	EmbeddedEtcd Kind = "etcd"
	ExternalEtcd Kind = "external-etcd"
)

// Options select and configure the datastore.
type Options struct {
	// Dir is the server's db directory.
	Dir string
	// Endpoint is --datastore-endpoint ("" means SQLite under Dir).
	Endpoint string
	// ClusterInit selects embedded etcd.
	ClusterInit bool
	// Etcd holds the embedded etcd member settings.
	Etcd EtcdOptions
}

// Result tells the apiserver how to reach the datastore.
type Result struct {
	Kind      Kind
	Endpoints []string
	// TLS client settings for etcd endpoints (empty for kine's unix socket).
	CAFile, CertFile, KeyFile string
}

// Start brings up the selected datastore and returns once it serves.
// It stops when ctx ends.
func Start(ctx context.Context, o Options) (Result, error) {
	switch {
	case o.ClusterInit:
		return startEtcd(ctx, o.Etcd)
	case strings.HasPrefix(o.Endpoint, "http://") || strings.HasPrefix(o.Endpoint, "https://"):
		return Result{Kind: ExternalEtcd, Endpoints: strings.Split(o.Endpoint, ",")}, nil
	default:
		return startKine(ctx, o)
	}
}

// SQLitePath is where the default datastore keeps its database.
func SQLitePath(dir string) string { return filepath.Join(dir, "state.db") }

func startKine(ctx context.Context, o Options) (Result, error) {
	kind := Kine
	ep := o.Endpoint
	if ep == "" || strings.HasPrefix(ep, "sqlite://") {
		kind = SQLite
		if err := os.MkdirAll(o.Dir, 0o700); err != nil {
			return Result{}, fmt.Errorf("create %s: %w", o.Dir, err)
		}
		if ep == "" {
			// WAL and a generous busy timeout: the apiserver writes from many
			// goroutines, and kine's compactor shares the file.
			ep = "sqlite://" + SQLitePath(o.Dir) + "?_journal=WAL&cache=shared&_busy_timeout=30000&_txlock=immediate"
		}
	}
	sock := filepath.Join(o.Dir, "kine.sock")
	// kine's own CLI defaults; the library leaves them zero and refuses that.
	cfg, err := endpoint.Listen(ctx, endpoint.Config{
		Listener:            "unix://" + sock,
		Endpoint:            ep,
		NotifyInterval:      5 * time.Second,
		PollInterval:        time.Second,
		EmulatedETCDVersion: "3.6.11",
		CompactInterval:     5 * time.Minute,
		CompactTimeout:      5 * time.Second,
		CompactMinRetain:    1000,
		CompactBatchSize:    1000,
		PollBatchSize:       500,
	})
	if err != nil {
		return Result{}, fmt.Errorf("start kine (%s): %w", kind, err)
	}
	return Result{Kind: kind, Endpoints: cfg.Endpoints}, nil
}
