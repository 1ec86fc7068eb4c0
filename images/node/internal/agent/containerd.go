package agent

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"text/template"
	"time"

	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/await"
	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/pki"
	"github.com/minictl/mini/images/node/internal/registries"
)

// PauseImage is the sandbox image, preloaded like every addon image; it must
// equal versions.env PAUSE_IMAGE (TestPauseImageMatchesVersionsEnv).
const PauseImage = "mini.local/pause:3.10"

// containerdConfig is containerd 2.x's version-3 configuration.
// restrict_oom_score_adj: kubelet asks for oom_score_adj -998 for sandboxes,
// and lowering it needs CAP_SYS_RESOURCE, which a node container may lack;
// without the restriction every sandbox fails to start there.
// disable_apparmor: the node has no apparmor_parser to load profiles with.
// registry: mirrors and TLS live in the hosts directory (config_path, see
// package registries); credentials cannot go there, and containerd still
// reads them from registry.configs.'HOST'.auth next to config_path.
var containerdConfig = template.Must(template.New("containerd").Funcs(template.FuncMap{"toml": registries.Quote}).Parse(`version = 3
root = {{toml .Root}}
state = {{toml .State}}

[grpc]
  address = {{toml .Socket}}

[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = {{toml .PauseImage}}
  [plugins.'io.containerd.cri.v1.images'.registry]
    config_path = {{toml .HostsDir}}
{{- range .Auths}}
    [plugins.'io.containerd.cri.v1.images'.registry.configs.{{toml .Host}}.auth]
{{- with .Username}}
      username = {{toml .}}
{{- end}}
{{- with .Password}}
      password = {{toml .}}
{{- end}}
{{- with .Auth}}
      auth = {{toml .}}
{{- end}}
{{- with .IdentityToken}}
      identitytoken = {{toml .}}
{{- end}}
{{- end}}

[plugins.'io.containerd.cri.v1.runtime']
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = "runc"
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = {{toml .Runc}}
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = [{{toml .CNIBin}}]
    conf_dir = {{toml .CNIConf}}
`))

// ContainerdOptions locate containerd's files.
type ContainerdOptions struct {
	Root, State, Socket, ConfigPath, LogPath string
	PauseImage                               string
	// HostsDir is the registry hosts directory (config_path), rewritten
	// from Registries at every start.
	HostsDir   string
	Registries *registries.Registry
}

// DefaultContainerdOptions puts containerd's root on the data volume and its
// state on tmpfs.
func DefaultContainerdOptions(dataDir, pauseImage string) ContainerdOptions {
	p := config.PathsFor(dataDir)
	return ContainerdOptions{
		Root:       p.ContainerdRoot(),
		State:      config.ContainerdState,
		Socket:     config.ContainerdSocket,
		ConfigPath: filepath.Join(p.AgentDir(), "etc", "containerd", "config.toml"),
		LogPath:    filepath.Join(p.AgentDir(), "containerd.log"),
		PauseImage: pauseImage,
		HostsDir:   filepath.Join(p.AgentDir(), "etc", "containerd", "certs.d"),
	}
}

// ContainerdOptionsFor is DefaultContainerdOptions with the registries of
// cfg's --private-registry file, which it reads and validates.
func ContainerdOptionsFor(cfg *config.Agent) (ContainerdOptions, error) {
	o := DefaultContainerdOptions(cfg.DataDir, PauseImage)
	reg, err := registries.Load(cfg.PrivateRegistry, cfg.PrivateRegistryOptional())
	if err != nil {
		return o, fmt.Errorf("--private-registry: %w", err)
	}
	o.Registries = reg
	return o, nil
}

// RenderContainerdConfig returns the config file's contents.
func RenderContainerdConfig(o ContainerdOptions) ([]byte, error) {
	var b bytes.Buffer
	err := containerdConfig.Execute(&b, map[string]any{
		"Root": o.Root, "State": o.State, "Socket": o.Socket, "PauseImage": o.PauseImage,
		"Runc": filepath.Join(config.BinDir, "runc"), "CNIBin": config.CNIBinDir, "CNIConf": config.CNIConfDir,
		"HostsDir": o.HostsDir, "Auths": o.Registries.Auths(),
	})
	return b.Bytes(), err
}

// Containerd is a running containerd child process.
type Containerd struct {
	cmd  *exec.Cmd
	done chan error
}

// StartContainerd writes the config and the registry hosts directory,
// starts containerd and returns once its socket accepts connections.
func StartContainerd(ctx context.Context, o ContainerdOptions) (*Containerd, error) {
	data, err := RenderContainerdConfig(o)
	if err != nil {
		return nil, fmt.Errorf("render containerd config: %w", err)
	}
	if err := registries.WriteHostsDir(o.HostsDir, o.Registries); err != nil {
		return nil, fmt.Errorf("registry hosts: %w", err)
	}
	for _, host := range o.Registries.MirrorHosts() {
		klog.InfoS("Registry mirror", "registry", host, "endpoints", o.Registries.Mirrors[host].Endpoints)
	}
	// 0600: the config holds registry credentials.
	if err := pki.WriteFile(o.ConfigPath, data, 0o600); err != nil {
		return nil, err
	}
	for _, d := range []string{o.Root, o.State, config.CNIConfDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create %s: %w", d, err)
		}
	}
	logf, err := os.OpenFile(o.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open containerd log: %w", err)
	}
	cmd := exec.Command(filepath.Join(config.BinDir, "containerd"), "--config", o.ConfigPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group: a terminal's Ctrl-C reaches the node, which
	// then stops containerd in order rather than both dying at once.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start containerd: %w", err)
	}
	c := &Containerd{cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait(); logf.Close() }()
	if err := c.waitSocket(ctx, o.Socket); err != nil {
		c.Stop()
		return nil, fmt.Errorf("%w (log: %s)", err, o.LogPath)
	}
	return c, nil
}

// waitSocket waits until containerd's socket accepts a connection. Its
// real failure signal is containerd exiting; there is no deadline (see
// package await): under emulation containerd's start can take minutes.
func (c *Containerd) waitSocket(ctx context.Context, socket string) error {
	return await.Until(ctx, 20*time.Millisecond, "containerd's socket "+socket, func(context.Context) error {
		select {
		case err := <-c.done:
			c.done <- err // Wait reports it too
			return await.Permanent(fmt.Errorf("containerd exited: %v", err))
		default:
		}
		conn, err := net.Dial("unix", socket)
		if err != nil {
			return err
		}
		return conn.Close()
	})
}

// Wait returns an error when containerd exits before ctx ends, nil after:
// a node whose containerd died must stop rather than run without it.
func (c *Containerd) Wait(ctx context.Context) error {
	select {
	case err := <-c.done:
		return fmt.Errorf("containerd exited: %v", err)
	case <-ctx.Done():
		return nil
	}
}

// Stop asks containerd to exit and kills it if it has not within 5 s.
func (c *Containerd) Stop() {
	if c == nil || c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		klog.InfoS("containerd did not stop in time; killing it")
		_ = c.cmd.Process.Kill()
	}
}
