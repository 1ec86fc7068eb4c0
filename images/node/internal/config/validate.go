package config

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// validTaintEffects are the effects kubelet accepts in --register-with-taints.
var validTaintEffects = map[string]bool{"NoSchedule": true, "PreferNoSchedule": true, "NoExecute": true}

// Validate reports every problem with an agent configuration at once.
func (a *Agent) Validate() error {
	var errs []error
	errs = append(errs, a.validateCommon()...)
	if a.ServerURL == "" {
		errs = append(errs, errors.New("--server (K3S_URL) is required for an agent"))
	}
	if a.Token == "" {
		errs = append(errs, errors.New("--token (K3S_TOKEN) is required for an agent"))
	}
	return errors.Join(errs...)
}

func (a *Agent) validateCommon() []error {
	var errs []error
	if a.DataDir == "" || !strings.HasPrefix(a.DataDir, "/") {
		errs = append(errs, fmt.Errorf("--data-dir %q: must be an absolute path", a.DataDir))
	}
	if a.NodeName != "" {
		for _, msg := range validation.IsDNS1123Subdomain(a.NodeName) {
			errs = append(errs, fmt.Errorf("--node-name %q: %s", a.NodeName, msg))
		}
	}
	if a.NodeIP != "" && net.ParseIP(a.NodeIP) == nil {
		errs = append(errs, fmt.Errorf("--node-ip %q: not an IP address", a.NodeIP))
	}
	for _, l := range a.NodeLabels {
		if err := validateLabel(l); err != nil {
			errs = append(errs, fmt.Errorf("--node-label %q: %w", l, err))
		}
	}
	for _, t := range a.NodeTaints {
		if err := validateTaint(t); err != nil {
			errs = append(errs, fmt.Errorf("--node-taint %q: %w", t, err))
		}
	}
	errs = append(errs, validateArgs("--kubelet-arg", a.KubeletArgs)...)
	errs = append(errs, validateArgs("--kube-proxy-arg", a.KubeProxyArgs)...)
	if a.ServerURL != "" {
		if u, err := url.Parse(a.ServerURL); err != nil || u.Scheme != "https" || u.Host == "" {
			errs = append(errs, fmt.Errorf("--server %q: want https://HOST:PORT", a.ServerURL))
		}
	}
	if a.Token != "" && strings.ContainsAny(a.Token, " \t\n") {
		errs = append(errs, errors.New("--token: must not contain whitespace"))
	}
	if a.PrivateRegistry != "" && !a.PrivateRegistryOptional() {
		// The file's contents are checked when containerd's configuration
		// is written; a file the user named must at least be there.
		if fi, err := os.Stat(a.PrivateRegistry); errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("--private-registry %q: no such file", a.PrivateRegistry))
		} else if err != nil {
			errs = append(errs, fmt.Errorf("--private-registry: %w", err))
		} else if fi.IsDir() {
			errs = append(errs, fmt.Errorf("--private-registry %q: is a directory, want a registries.yaml file", a.PrivateRegistry))
		}
	}
	return errs
}

// Validate reports every problem with a server configuration at once.
// validDisable checks --disable names; the addons package owns that list.
func (s *Server) Validate(validDisable func([]string) error) error {
	errs := s.validateCommon()
	cidrs := map[string]*net.IPNet{}
	for flag, v := range map[string]string{"--cluster-cidr": s.ClusterCIDR, "--service-cidr": s.ServiceCIDR} {
		_, n, err := net.ParseCIDR(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q: not a CIDR", flag, v))
			continue
		}
		cidrs[flag] = n
	}
	if c, sv := cidrs["--cluster-cidr"], cidrs["--service-cidr"]; c != nil && sv != nil && (c.Contains(sv.IP) || sv.Contains(c.IP)) {
		errs = append(errs, fmt.Errorf("--cluster-cidr %s and --service-cidr %s overlap", s.ClusterCIDR, s.ServiceCIDR))
	}
	if c := cidrs["--cluster-cidr"]; c != nil {
		if ones, bits := c.Mask.Size(); bits == 32 && ones > DefaultNodeCIDRMaskLen {
			errs = append(errs, fmt.Errorf("--cluster-cidr %s: must be /%d or larger to give each node a /%d", s.ClusterCIDR, DefaultNodeCIDRMaskLen, DefaultNodeCIDRMaskLen))
		}
	}
	if ip := net.ParseIP(s.ClusterDNS); ip == nil {
		errs = append(errs, fmt.Errorf("--cluster-dns %q: not an IP address", s.ClusterDNS))
	} else if sv := cidrs["--service-cidr"]; sv != nil && !sv.Contains(ip) {
		errs = append(errs, fmt.Errorf("--cluster-dns %s: not inside --service-cidr %s", s.ClusterDNS, s.ServiceCIDR))
	}
	for _, msg := range validation.IsDNS1123Subdomain(s.ClusterDomain) {
		errs = append(errs, fmt.Errorf("--cluster-domain %q: %s", s.ClusterDomain, msg))
	}
	if s.HTTPSPort < 1 || s.HTTPSPort > 65535 {
		errs = append(errs, fmt.Errorf("--https-listen-port %d: want 1-65535", s.HTTPSPort))
	}
	if _, err := s.KubeconfigMode(); err != nil {
		errs = append(errs, err)
	}
	for _, san := range s.TLSSANs {
		if net.ParseIP(san) == nil && len(validation.IsDNS1123Subdomain(strings.TrimPrefix(san, "*."))) > 0 {
			errs = append(errs, fmt.Errorf("--tls-san %q: not an IP address or DNS name", san))
		}
	}
	if validDisable != nil {
		if err := validDisable(s.Disable); err != nil {
			errs = append(errs, fmt.Errorf("--disable: %w", err))
		}
	}
	if s.ClusterInit && s.DatastoreEndpoint != "" {
		errs = append(errs, errors.New("--cluster-init and --datastore-endpoint are mutually exclusive"))
	}
	if s.ServerURL != "" {
		// A joining server becomes a member of the first server's etcd; a
		// token is the only way it can fetch the cluster's CAs.
		if s.Token == "" {
			errs = append(errs, errors.New("--server needs --token (K3S_TOKEN): a joining server fetches the cluster CAs with it"))
		}
		if s.ClusterInit {
			errs = append(errs, errors.New("--cluster-init and --server are mutually exclusive: --cluster-init starts a new cluster, --server joins one"))
		}
		if strings.HasPrefix(s.DatastoreEndpoint, "sqlite://") {
			errs = append(errs, errors.New("--server with a sqlite:// --datastore-endpoint: a SQLite file cannot be shared between servers"))
		}
	}
	if s.DatastoreEndpoint != "" {
		if _, err := url.Parse(s.DatastoreEndpoint); err != nil || !strings.Contains(s.DatastoreEndpoint, "://") {
			errs = append(errs, fmt.Errorf("--datastore-endpoint %q: want a DSN such as sqlite://, mysql://, postgres://, https://", s.DatastoreEndpoint))
		}
	}
	errs = append(errs, validateArgs("--kube-apiserver-arg", s.KubeAPIServerArgs)...)
	errs = append(errs, validateArgs("--kube-controller-manager-arg", s.KubeControllerManagerArgs)...)
	errs = append(errs, validateArgs("--kube-scheduler-arg", s.KubeSchedulerArgs)...)
	return errors.Join(errs...)
}

func validateLabel(l string) error {
	k, v, ok := strings.Cut(l, "=")
	if !ok {
		return errors.New("want KEY=VALUE")
	}
	var msgs []string
	msgs = append(msgs, validation.IsQualifiedName(k)...)
	msgs = append(msgs, validation.IsValidLabelValue(v)...)
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

func validateTaint(t string) error {
	kv, effect, ok := strings.Cut(t, ":")
	if !ok || !validTaintEffects[effect] {
		return errors.New("want KEY[=VALUE]:EFFECT with EFFECT one of NoSchedule, PreferNoSchedule, NoExecute")
	}
	k, v, _ := strings.Cut(kv, "=")
	msgs := validation.IsQualifiedName(k)
	if v != "" {
		msgs = append(msgs, validation.IsValidLabelValue(v)...)
	}
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// validateArgs checks component pass-through args, written KEY=VALUE or KEY
// as k3s takes them (without the leading dashes).
func validateArgs(flag string, args []string) []error {
	var errs []error
	for _, a := range args {
		k, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if k == "" || strings.ContainsAny(k, " \t") {
			errs = append(errs, fmt.Errorf("%s %q: want NAME=VALUE", flag, a))
		}
	}
	return errs
}

// ComponentArgs turns k3s-style pass-through args (NAME=VALUE) into flags.
func ComponentArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		out = append(out, "--"+strings.TrimLeft(a, "-"))
	}
	return out
}
