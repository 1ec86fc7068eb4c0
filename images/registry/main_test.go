package main

import (
	"os"
	"testing"

	"github.com/distribution/distribution/v3/configuration"
)

func parseConfig(t *testing.T) *configuration.Configuration {
	t.Helper()
	f, err := os.Open("config.yml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := configuration.Parse(f)
	if err != nil {
		t.Fatalf("config.yml: %v", err)
	}
	return c
}

// TestConfigDefaults checks config.yml parses with distribution's own parser
// and says what the image promises: API on :5000, blobs on the filesystem
// under /var/lib/registry, deletes allowed, no debug listener, no proxy.
func TestConfigDefaults(t *testing.T) {
	c := parseConfig(t)
	if c.HTTP.Addr != ":5000" {
		t.Errorf("http.addr = %q, want :5000", c.HTTP.Addr)
	}
	if got := c.Storage.Type(); got != "filesystem" {
		t.Errorf("storage driver = %q, want filesystem", got)
	}
	if got := c.Storage.Parameters()["rootdirectory"]; got != "/var/lib/registry" {
		t.Errorf("storage.filesystem.rootdirectory = %v, want /var/lib/registry", got)
	}
	if enabled, _ := c.Storage["delete"]["enabled"].(bool); !enabled {
		t.Errorf("storage.delete.enabled = %v, want true", c.Storage["delete"]["enabled"])
	}
	if c.HTTP.Debug.Addr != "" {
		t.Errorf("http.debug.addr = %q, want no debug listener", c.HTTP.Debug.Addr)
	}
	if !c.Health.StorageDriver.Enabled {
		t.Error("health.storagedriver is disabled, want enabled")
	}
	if c.Log.Level != "info" {
		t.Errorf("log.level = %q, want info", c.Log.Level)
	}
	if c.Proxy.RemoteURL != "" {
		t.Errorf("proxy.remoteurl = %q, want none (plain registry)", c.Proxy.RemoteURL)
	}
}

// TestConfigEnvOverrides checks the REGISTRY_* variables mini's launcher sets
// take effect over config.yml, including the proxy section config.yml leaves
// out (pull-through mode).
func TestConfigEnvOverrides(t *testing.T) {
	t.Setenv("REGISTRY_PROXY_REMOTEURL", "http://upstream.example:5000")
	t.Setenv("REGISTRY_HTTP_ADDR", ":5001")
	t.Setenv("REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY", "/data")
	c := parseConfig(t)
	if c.Proxy.RemoteURL != "http://upstream.example:5000" {
		t.Errorf("proxy.remoteurl = %q, want REGISTRY_PROXY_REMOTEURL's value", c.Proxy.RemoteURL)
	}
	if c.HTTP.Addr != ":5001" {
		t.Errorf("http.addr = %q, want REGISTRY_HTTP_ADDR's value", c.HTTP.Addr)
	}
	if got := c.Storage.Parameters()["rootdirectory"]; got != "/data" {
		t.Errorf("storage.filesystem.rootdirectory = %v, want /data", got)
	}
}
