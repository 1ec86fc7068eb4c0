package buildtest

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Modules whose dependencies need not follow the node's: runc is built
// with cgo, which changes the standard library it compiles against, so
// none of its packages could come from the node build's cache anyway (and
// runc pins its cgroup and selinux libraries to the release); traefik/ext
// is an empty placeholder module traefik's go.mod replaces.
var unaligned = map[string]string{
	"images/node/third_party/runc":        "built with cgo",
	"images/node/third_party/traefik/ext": "placeholder",
	"images/node":                         "the reference",
}

// Every image's Go module requires the node's version of each module the
// node also requires. Go caches a compiled package under its module's
// version, its flags and the compiled form of its imports, so an add-on
// that builds client-go, gRPC or protobuf at the node's versions reuses
// what the mini-node build (the longest step) already compiled, instead of
// compiling a second Kubernetes library set in parallel on the same two
// cores: that is most of what makes a cold `make dev` fit in 20 minutes.
// The modules stay separate (third_party/README.md says why), so nothing
// but this test keeps them aligned when one of them is bumped.
func TestImageModulesUseTheNodesVersions(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	node := requires(t, filepath.Join(root, "images/node"))
	mods, err := filepath.Glob(filepath.Join(root, "images/*/go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(root, "images/node/third_party/*/go.mod"))
	mods = append(mods, more...)
	checked := 0
	for _, gomod := range mods {
		dir, _ := filepath.Rel(root, filepath.Dir(gomod))
		if _, skip := unaligned[dir]; skip {
			continue
		}
		checked++
		var wrong []string
		for path, v := range requires(t, filepath.Dir(gomod)) {
			if want, ok := node[path]; ok && v != want {
				wrong = append(wrong, path+"@"+want)
			}
		}
		if len(wrong) > 0 {
			sort.Strings(wrong)
			t.Errorf("%s requires %d modules at other versions than images/node; run there\n  go get %s && go mod tidy\n(if the add-on needs a newer one, raise it in images/node first)",
				dir, len(wrong), strings.Join(wrong, " "))
		}
	}
	if checked < 5 {
		t.Errorf("checked %d image modules, want metrics-server, local-path-provisioner, traefik, coredns and registry at least", checked)
	}
}

// requires is the version of each module dir's go.mod requires, after its
// replace directives; modules replaced by a local directory are left out
// (they are not shared with anything).
func requires(t *testing.T, dir string) map[string]string {
	t.Helper()
	cmd := exec.Command("go", "mod", "edit", "-json")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod edit -json in %s: %v", dir, err)
	}
	type mod struct{ Path, Version string }
	var f struct {
		Require []mod
		Replace []struct{ Old, New mod }
	}
	if err := json.Unmarshal(out, &f); err != nil {
		t.Fatalf("%s/go.mod: %v", dir, err)
	}
	got := map[string]string{}
	for _, r := range f.Require {
		got[r.Path] = r.Version
	}
	for _, r := range f.Replace {
		if _, ok := got[r.Old.Path]; !ok || (r.Old.Version != "" && r.Old.Version != got[r.Old.Path]) {
			continue
		}
		if r.New.Version == "" {
			delete(got, r.Old.Path)
		} else if r.New.Path == r.Old.Path {
			got[r.Old.Path] = r.New.Version
		} else {
			got[r.Old.Path] = r.New.Path + "@" + r.New.Version
		}
	}
	return got
}
