package kubeconfig

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

var devNames = Names{Context: "mini-dev", Cluster: "mini-dev", User: "admin@mini-dev"}

// nodeKubeconfig is what a node writes: entries named "default".
const nodeKubeconfig = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`

func devConfig(t *testing.T) *clientcmdapi.Config {
	t.Helper()
	cfg, err := Rewrite([]byte(nodeKubeconfig), "https://127.0.0.1:40123", devNames)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// writeOther writes a kubeconfig with an unrelated context "other".
func writeOther(t *testing.T, path string, current bool) {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["other"] = &clientcmdapi.Cluster{Server: "https://other:443"}
	cfg.AuthInfos["other"] = &clientcmdapi.AuthInfo{Token: "secret"}
	cfg.Contexts["other"] = &clientcmdapi.Context{Cluster: "other", AuthInfo: "other"}
	if current {
		cfg.CurrentContext = "other"
	}
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
}

func mustLoad(t *testing.T, path string) *clientcmdapi.Config {
	t.Helper()
	cfg, err := clientcmd.LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestRewrite(t *testing.T) {
	cfg := devConfig(t)
	if got := cfg.Clusters["mini-dev"].Server; got != "https://127.0.0.1:40123" {
		t.Errorf("server = %q", got)
	}
	if string(cfg.Clusters["mini-dev"].CertificateAuthorityData) != "CA" {
		t.Errorf("CA data lost")
	}
	if cfg.Contexts["mini-dev"].AuthInfo != "admin@mini-dev" || cfg.CurrentContext != "mini-dev" {
		t.Errorf("context = %+v, current %q", cfg.Contexts["mini-dev"], cfg.CurrentContext)
	}
	if _, ok := cfg.Clusters["default"]; ok {
		t.Errorf("the node's default entry leaked")
	}
	if _, err := Rewrite([]byte("current-context: nope\n"), "https://x", devNames); err == nil {
		t.Errorf("want an error for a kubeconfig without the context")
	}
}

func TestMergeIntoNewFile(t *testing.T) {
	home := t.TempDir()
	s := Store{Paths: Paths{Home: home}}
	dest, err := s.Merge(devConfig(t), devNames, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".kube", "config"); dest != want {
		t.Errorf("dest = %q, want %q", dest, want)
	}
	st, err := os.Stat(dest)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
	if got := mustLoad(t, dest).CurrentContext; got != "mini-dev" {
		t.Errorf("current-context = %q", got)
	}
	if _, err := os.Stat(dest + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file left behind: %v", err)
	}
}

func TestMergeKeepsUnrelatedContext(t *testing.T) {
	for _, switchCtx := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "config")
		writeOther(t, path, true)
		s := Store{Paths: Paths{Explicit: path}}
		if _, err := s.Merge(devConfig(t), devNames, switchCtx); err != nil {
			t.Fatal(err)
		}
		cfg := mustLoad(t, path)
		if cfg.AuthInfos["other"] == nil || cfg.AuthInfos["other"].Token != "secret" || cfg.Contexts["other"] == nil {
			t.Errorf("switch=%v: unrelated entries dropped: %+v", switchCtx, cfg)
		}
		if cfg.Contexts["mini-dev"] == nil {
			t.Errorf("switch=%v: mini-dev not merged", switchCtx)
		}
		want := "other"
		if switchCtx {
			want = "mini-dev"
		}
		if cfg.CurrentContext != want {
			t.Errorf("switch=%v: current-context = %q, want %q", switchCtx, cfg.CurrentContext, want)
		}
	}
}

func TestMergeSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	env := strings.Join([]string{a, b, c}, string(os.PathListSeparator))

	// a does not exist, b has the current context: a new entry goes to the
	// first existing file (b), like kubectl.
	writeOther(t, b, true)
	s := Store{Paths: Paths{Env: env}}
	dest, err := s.Merge(devConfig(t), devNames, true)
	if err != nil {
		t.Fatal(err)
	}
	if dest != b {
		t.Errorf("new entry written to %q, want %q", dest, b)
	}
	if _, err := os.Stat(a); !os.IsNotExist(err) {
		t.Errorf("file a was created")
	}
	if got := mustLoad(t, b); got.CurrentContext != "mini-dev" || got.Contexts["other"] == nil {
		t.Errorf("b = %+v", got)
	}

	// Once a exists (and sets no current context), an update still goes to
	// b, the file that already has the entry.
	writeOther(t, a, false)
	cfg := devConfig(t)
	cfg.Clusters["mini-dev"].Server = "https://127.0.0.1:40999"
	if dest, err = s.Merge(cfg, devNames, true); err != nil {
		t.Fatal(err)
	}
	if dest != b {
		t.Errorf("update written to %q, want %q", dest, b)
	}
	if got := mustLoad(t, b).Clusters["mini-dev"].Server; got != "https://127.0.0.1:40999" {
		t.Errorf("server in b = %q", got)
	}
	if got := mustLoad(t, a); got.Contexts["mini-dev"] != nil {
		t.Errorf("a got the entry too")
	}

	// Remove clears it from every file and keeps the others.
	if err := s.Remove(devNames); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{a, b} {
		got := mustLoad(t, f)
		if got.Contexts["mini-dev"] != nil || got.Clusters["mini-dev"] != nil || got.AuthInfos["admin@mini-dev"] != nil {
			t.Errorf("%s still has mini-dev", f)
		}
		if got.Contexts["other"] == nil {
			t.Errorf("%s lost context other", f)
		}
	}
	if got := mustLoad(t, b).CurrentContext; got != "" {
		t.Errorf("current-context still %q", got)
	}
}

func TestMergeCurrentContextGoesToFirstFileSettingIt(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	writeOther(t, a, true)
	// b already has the entry, so the entry goes to b, but current-context
	// lives in a and must be changed there to take effect.
	if _, err := (Store{Paths: Paths{Explicit: b}}).Merge(devConfig(t), devNames, false); err != nil {
		t.Fatal(err)
	}
	s := Store{Paths: Paths{Env: a + string(os.PathListSeparator) + b}}
	if _, err := s.Merge(devConfig(t), devNames, true); err != nil {
		t.Fatal(err)
	}
	if got := mustLoad(t, a); got.CurrentContext != "mini-dev" || got.Contexts["mini-dev"] != nil {
		t.Errorf("a: current %q, entry %v", got.CurrentContext, got.Contexts["mini-dev"])
	}
	if got := mustLoad(t, b); got.Contexts["mini-dev"] == nil {
		t.Errorf("b lost the entry")
	}
}

func TestMergeFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "real"), filepath.Join(dir, "link")
	writeOther(t, target, true)
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := (Store{Paths: Paths{Explicit: link}}).Merge(devConfig(t), devNames, true); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("symlink replaced: %v", err)
	}
	if mustLoad(t, target).Contexts["mini-dev"] == nil {
		t.Errorf("target not updated")
	}
}

func TestMergeWaitsForLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(path+".lock", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s := Store{Paths: Paths{Explicit: path}, LockTimeout: 100 * time.Millisecond}
	_, err := s.Merge(devConfig(t), devNames, true)
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("Merge() with a held lock: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("file written despite the lock")
	}
}

func TestPathsFiles(t *testing.T) {
	sep := string(os.PathListSeparator)
	tests := []struct {
		p    Paths
		want []string
	}{
		{Paths{Explicit: "/x", Env: "/a", Home: "/h"}, []string{"/x"}},
		{Paths{Env: "/a" + sep + sep + "/b" + sep + "/a", Home: "/h"}, []string{"/a", "/b"}},
		{Paths{Home: "/h"}, []string{"/h/.kube/config"}},
	}
	for _, tt := range tests {
		got, err := tt.p.Files()
		if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%+v.Files() = %v, %v; want %v", tt.p, got, err, tt.want)
		}
	}
	if _, err := (Paths{}).Files(); err == nil {
		t.Errorf("want an error with no paths at all")
	}
}

func TestRemoveCreatesNothing(t *testing.T) {
	home := t.TempDir()
	if err := (Store{Paths: Paths{Home: home}}).Remove(devNames); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, ".kube")); !os.IsNotExist(err) {
		t.Errorf("Remove created ~/.kube: %v", err)
	}
}
