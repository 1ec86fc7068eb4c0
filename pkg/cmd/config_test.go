package cmd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/minictl/mini/pkg/config"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCreateAndDeleteFromConfigFile(t *testing.T) {
	e := newEnv(t)
	file := writeFile(t, "cluster.yaml", `apiVersion: mini.dev/v1alpha1
kind: Cluster
metadata:
  name: filed
agents: 2
env:
  - envVar: ROLE=worker
    nodeFilters: ["agents:*"]
`)
	// The flag wins over the file: one agent.
	if err := e.run(t, "cluster", "create", "-c", file, "--agents", "1"); err != nil {
		t.Fatalf("create: %v\n%s", err, e.err.String())
	}
	if got := strings.Join(e.rt.ContainerNames(), " "); got != "mini-filed-agent-0 mini-filed-lb mini-filed-server-0" {
		t.Errorf("containers = %s", got)
	}
	if env := e.rt.Container("mini-filed-agent-0").Spec.Env; !slices.Contains(env, "ROLE=worker") {
		t.Errorf("agent env %v lacks the file's ROLE=worker", env)
	}
	if err := e.run(t, "cluster", "delete", "-c", file); err != nil {
		t.Fatalf("delete -c: %v", err)
	}
	if names := e.rt.ContainerNames(); len(names) != 0 {
		t.Errorf("delete -c left %v", names)
	}
	nameless := writeFile(t, "nameless.yaml", "apiVersion: mini.dev/v1alpha1\nkind: Cluster\n")
	if err := e.run(t, "cluster", "delete", "-c", nameless); ExitCode(err) != 2 || !strings.Contains(err.Error(), "names no cluster") {
		t.Errorf("delete -c of a file without a name: %v", err)
	}
}

func TestCreateFromK3dFile(t *testing.T) {
	e := newEnv(t)
	file := writeFile(t, "k3d.yaml", `apiVersion: k3d.io/v1alpha5
kind: Simple
metadata:
  name: fromk3d
agents: 1
image: rancher/k3s:v1.30.4-k3s1
ports:
  - port: 8080:80
    nodeFilters:
      - loadbalancer
`)
	if err := e.run(t, "cluster", "create", "-c", file); err != nil {
		t.Fatalf("create: %v\n%s", err, e.err.String())
	}
	if e.rt.Container("mini-fromk3d-agent-0") == nil {
		t.Errorf("containers = %v", e.rt.ContainerNames())
	}
	if log := e.err.String(); !strings.Contains(log, "is a k3d k3d.io/v1alpha5 file") || !strings.Contains(log, "rancher/k3s") {
		t.Errorf("stderr lacks the k3d notice and the image warning:\n%s", log)
	}
}

func TestConfigCommands(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	if err := e.run(t, "config", "init", "--name", "web"); err != nil || !strings.Contains(e.out.String(), "name: web") {
		t.Fatalf("config init: %v\n%s", err, e.out.String())
	}
	file := filepath.Join(dir, "cluster.yaml")
	if err := e.run(t, "config", "init", "-o", file); err != nil {
		t.Fatal(err)
	}
	if err := e.run(t, "config", "init", "-o", file); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("init over an existing file: %v", err)
	}
	if err := e.run(t, "config", "init", "-o", file, "--force"); err != nil {
		t.Errorf("init --force: %v", err)
	}
	if err := e.run(t, "config", "validate", file); err != nil || e.out.String() != file+": valid\n" {
		t.Errorf("validate: %v %q", err, e.out.String())
	}
	bad := writeFile(t, "bad.yaml", "apiVersion: mini.dev/v1alpha1\nkind: Cluster\nservers: 0\nagnets: 1\n")
	err := e.run(t, "config", "validate", file, bad)
	if ExitCode(err) != 1 || !strings.Contains(err.Error(), "bad.yaml:3: servers") || !strings.Contains(err.Error(), "bad.yaml:4: agnets") {
		t.Errorf("validate of a bad file: %v", err)
	}
	if err := e.run(t, "config", "view", file); err != nil || !strings.Contains(e.out.String(), "servers: 1\n") {
		t.Errorf("view: %v\n%s", err, e.out.String())
	}
	k3d := writeFile(t, "k3d.yaml", "apiVersion: k3d.io/v1alpha5\nkind: Simple\nmetadata: {name: old}\n"+
		"options: {runtime: {gpuRequest: all}, k3s: {extraArgs: [{arg: --disable=traefik, nodeFilters: ['server:*']}]}}\n")
	out := filepath.Join(dir, "migrated.yaml")
	if err := e.run(t, "config", "migrate", k3d, "-o", out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.err.String(), "gpuRequest") {
		t.Errorf("migrate did not warn about gpuRequest:\n%s", e.err.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f, err := config.Load(out, data)
	if err != nil || f.Options.Name != "old" || !slices.Equal(f.Options.K3sArgs, []string{"--disable=traefik@server:*"}) {
		t.Errorf("migrated file: %+v, %v\n%s", f, err, data)
	}
	for _, args := range [][]string{{"config", "view"}, {"config", "validate"}, {"config", "init", "x"}, {"config", "init", "--name", "Bad"}} {
		if err := e.run(t, args...); ExitCode(err) != 2 {
			t.Errorf("mini %v: %v, want a usage error", args, err)
		}
	}
}
