package cluster

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/cmd/internal/cli"
	"github.com/minictl/mini/pkg/config"
)

func testApp(errOut *bytes.Buffer) *cli.App {
	l := logrus.New()
	l.SetOutput(errOut)
	return &cli.App{
		Streams: cli.Streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: errOut},
		Logger:  l, Getenv: func(string) string { return "" },
	}
}

// resolve runs create's option resolution on a command line, without
// creating anything.
func resolve(t *testing.T, app *cli.App, flags []string, args ...string) (cluster.CreateOptions, error) {
	t.Helper()
	cmd := newCreateCommand(app)
	if err := cmd.ParseFlags(flags); err != nil {
		t.Fatal(err)
	}
	v, err := cli.Bind(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return resolveCreateOptions(app, v, args)
}

// nilEmpty makes empty slices nil, as viper returns [] for a list flag
// never given.
func nilEmpty(o cluster.CreateOptions) cluster.CreateOptions {
	v := reflect.ValueOf(&o).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Slice && f.Len() == 0 {
			f.SetZero()
		}
	}
	return o
}

// The precedence of issue 7: flags > MINI_* environment > config file >
// defaults, for each kind of value (integer, string, list, boolean,
// duration) and for the name (NAME argument > metadata.name > dev).
func TestCreatePrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cluster.yaml")
	if err := os.WriteFile(file, []byte(`apiVersion: mini.dev/v1alpha1
kind: Cluster
metadata: {name: from-file}
servers: 3
image: file/img
ports: [{port: "8080:80"}]
options: {wait: false, timeout: 1m}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	type values struct {
		servers int
		image   string
		ports   []string
		wait    bool
		timeout time.Duration
	}
	def := values{1, config.Defaults().Image, nil, true, cluster.DefaultTimeout}
	fromFile := values{3, "file/img", []string{"8080:80"}, false, time.Minute}
	fromEnv := values{5, "env/img", []string{"8081:81"}, true, 2 * time.Minute}
	fromFlags := values{7, "flag/img", []string{"8082:82"}, false, 4 * time.Minute}
	env := map[string]string{"MINI_SERVERS": "5", "MINI_IMAGE": "env/img", "MINI_PORT": "8081:81", "MINI_WAIT": "true", "MINI_TIMEOUT": "2m"}
	flags := []string{"--servers", "7", "--image", "flag/img", "-p", "8082:82", "--wait=false", "--timeout", "4m"}
	tests := []struct {
		name     string
		file     bool
		env      bool
		flags    bool
		args     []string
		want     values
		wantName string
	}{
		{"defaults", false, false, false, nil, def, "dev"},
		{"file over defaults", true, false, false, nil, fromFile, "from-file"},
		{"environment over defaults", false, true, false, nil, fromEnv, "dev"},
		{"environment over file", true, true, false, nil, fromEnv, "from-file"},
		{"flags over defaults", false, false, true, nil, fromFlags, "dev"},
		{"flags over file", true, false, true, nil, fromFlags, "from-file"},
		{"flags over environment and file", true, true, true, nil, fromFlags, "from-file"},
		{"NAME over metadata.name", true, false, false, []string{"arg"}, fromFile, "arg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env {
				for k, v := range env {
					t.Setenv(k, v)
				}
			}
			var cmdline []string
			if tt.file {
				cmdline = append(cmdline, "-c", file)
			}
			if tt.flags {
				cmdline = append(cmdline, flags...)
			}
			o, err := resolve(t, testApp(&bytes.Buffer{}), cmdline, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			o = nilEmpty(o)
			got := values{o.Servers, o.Image, o.Ports, o.Wait, o.Timeout}
			if !reflect.DeepEqual(got, tt.want) || o.Name != tt.wantName {
				t.Errorf("got %+v name %s, want %+v name %s", got, o.Name, tt.want, tt.wantName)
			}
		})
	}
}

// MINI_CONFIG names the file like --config, as for every flag.
func TestConfigFromEnvironment(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: mini.dev/v1alpha1\nkind: Cluster\nagents: 4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MINI_CONFIG", file)
	if o, err := resolve(t, testApp(&bytes.Buffer{}), nil); err != nil || o.Agents != 4 {
		t.Errorf("agents %d, %v; want 4 from the file MINI_CONFIG names", o.Agents, err)
	}
}

// Without flags, create's options are the config package's defaults: a
// file and the command line agree on what "left out" means.
func TestFlagDefaultsAreTheFileDefaults(t *testing.T) {
	o, err := resolve(t, testApp(&bytes.Buffer{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := nilEmpty(o), config.Defaults(); !reflect.DeepEqual(got, want) {
		t.Errorf("flag defaults\n%+v\nfile defaults\n%+v", got, want)
	}
}

// Every option a file can set reaches create's options: fileValues and
// createOptions stay in step. A new field of CreateOptions fails this
// test until both know it.
func TestFileValuesRoundTrip(t *testing.T) {
	o := cluster.CreateOptions{
		Name: "x", Servers: 3, Agents: 2, Image: "i", LBImage: "l", APIPort: "6550", Token: "t",
		Wait: true, Timeout: time.Minute, NoLB: true, NoRollback: true, UpdateKubeconfig: true, SwitchContext: true,
		Network: "n", Subnet: "s", Env: []string{"A=1"}, Volumes: []string{"/a:/a"}, NodeLabels: []string{"k=v"},
		K3sArgs: []string{"--x"}, Ports: []string{"80"}, HostAliases: []string{"1.2.3.4:a"},
		ServersMemory: "1g", AgentsMemory: "2g", RegistryCreate: []string{"r"}, RegistryUse: []string{"u"},
		RegistryConfig: "c.yaml", RegistryImage: "ri", ImageRepository: "m.example.com/r", Pull: cluster.PullNever,
	}
	v := reflect.ValueOf(o)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("set CreateOptions.%s in this test (and map it in fileValues)", v.Type().Field(i).Name)
		}
	}
	cmd := newCreateCommand(testApp(&bytes.Buffer{}))
	vp, err := cli.Bind(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if err := vp.MergeConfigMap(fileValues(o)); err != nil {
		t.Fatal(err)
	}
	if got := createOptions(vp, []string{o.Name}); !reflect.DeepEqual(got, o) {
		t.Errorf("round trip through the flags' keys\n%+v\nwant\n%+v", got, o)
	}
}

func TestCreateConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: mini.dev/v1alpha1\nkind: Cluster\nservers: 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := resolve(t, testApp(&bytes.Buffer{}), []string{"-c", bad}); err == nil || !strings.Contains(err.Error(), "bad.yaml:3: servers: 0") {
		t.Errorf("a bad file: %v", err)
	}
	if _, err := resolve(t, testApp(&bytes.Buffer{}), []string{"-c", filepath.Join(dir, "missing.yaml")}); err == nil {
		t.Error("a missing file is accepted")
	}
}

// -c - reads the file from stdin, named <stdin> in messages.
func TestConfigFromStdin(t *testing.T) {
	app := testApp(&bytes.Buffer{})
	app.Streams.In = strings.NewReader("apiVersion: mini.dev/v1alpha1\nkind: Cluster\nagents: 2\n")
	if o, err := resolve(t, app, []string{"-c", "-"}); err != nil || o.Agents != 2 {
		t.Errorf("agents %d, %v; want 2 from stdin", o.Agents, err)
	}
	app.Streams.In = strings.NewReader("apiVersion: mini.dev/v1alpha1\nkind: Cluster\nagents: -1\n")
	if _, err := resolve(t, app, []string{"-c", "-"}); err == nil || !strings.Contains(err.Error(), "<stdin>:3: agents") {
		t.Errorf("a bad file on stdin: %v", err)
	}
}
