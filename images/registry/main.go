package main

import (
	"os"

	"github.com/distribution/distribution/v3/registry"

	// Each import registers itself with the registry by name; config.yml
	// (or REGISTRY_* variables) selects among them.
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
	_ "github.com/distribution/distribution/v3/registry/proxy"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory"
)

func main() {
	// The serve command exits by itself on fatal errors; Execute fails only
	// on bad arguments, which cobra has already reported.
	if err := registry.RootCmd.Execute(); err != nil {
		os.Exit(1)
	}
}
