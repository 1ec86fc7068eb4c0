package cluster

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/minictl/mini/pkg/loadbalancer"
	"github.com/minictl/mini/pkg/runtime"
)

func mustPlan(t *testing.T, o CreateOptions, privileged bool) plan {
	t.Helper()
	po, err := o.parse()
	if err != nil {
		t.Fatal(err)
	}
	po.api.Port = 40000
	p, err := buildPlan(po, planInput{Subnet: "172.30.5.0/24", Privileged: privileged, Token: "tok", Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBuildPlanNodes(t *testing.T) {
	o := defaultOpts("dev")
	o.Servers, o.Agents = 3, 2
	o.Env = []string{"A=1@agent:1", "B=2"}
	o.NodeLabels = []string{"tier=edge@agents:*"}
	o.K3sArgs = []string{"--disable=traefik", "--kubelet-arg=v=2@agent:0"}
	o.Volumes = []string{"/src:/dst:ro@server:0"}
	o.ServersMemory = "1g"
	p := mustPlan(t, o, false)

	s0, s1, a0, a1 := p.Servers[0].Spec, p.Servers[1].Spec, p.Agents[0].Spec, p.Agents[1].Spec
	if s0.IP != "172.30.5.10" || s1.IP != "172.30.5.11" || a1.IP != "172.30.5.101" || p.LB.Spec.IP != "172.30.5.2" {
		t.Errorf("IPs: %s %s %s %s", s0.IP, s1.IP, a1.IP, p.LB.Spec.IP)
	}
	if !slices.Contains(s0.Cmd, "--cluster-init") || slices.Contains(s1.Cmd, "--cluster-init") {
		t.Errorf("only server 0 of several inits the cluster: %v / %v", s0.Cmd, s1.Cmd)
	}
	// Joiners go through the load balancer, so they keep working when any
	// one server (server 0 included) dies.
	for _, n := range []plannedNode{p.Servers[1], p.Servers[2], p.Agents[0], p.Agents[1]} {
		if got := flagValue(n.Spec.Cmd, "--server"); got != "https://mini-dev-lb:6443" {
			t.Errorf("%s joins %q, want the load balancer: %v", n.Spec.Name, got, n.Spec.Cmd)
		}
	}
	if slices.Contains(s0.Cmd, "--server") {
		t.Errorf("server 0 joins nobody: %v", s0.Cmd)
	}
	if a0.Cmd[0] != "agent" || !slices.Contains(a0.Env, "K3S_TOKEN=tok") {
		t.Errorf("agent 0: cmd %v env %v", a0.Cmd, a0.Env)
	}
	for _, n := range p.nodes() {
		if n.Spec.Labels[LabelDatastore] != DatastoreEtcd {
			t.Errorf("%s datastore label %q, want etcd", n.Spec.Name, n.Spec.Labels[LabelDatastore])
		}
	}
	if s2 := p.Servers[2].Spec; s2.IP != "172.30.5.12" || p.Agents[0].Spec.IP != "172.30.5.100" {
		t.Errorf("IPs: server 2 %s, agent 0 %s", s2.IP, p.Agents[0].Spec.IP)
	}
	if !slices.Contains(s0.Cmd, "--tls-san") || !slices.Contains(s0.Cmd, "mini-dev-lb") || !slices.Contains(s0.Cmd, "127.0.0.1") {
		t.Errorf("server 0 lacks TLS SANs: %v", s0.Cmd)
	}
	// Filters.
	if !slices.Contains(a1.Env, "A=1") || slices.Contains(a0.Env, "A=1") || !slices.Contains(s0.Env, "B=2") {
		t.Errorf("env filter: a0 %v a1 %v s0 %v", a0.Env, a1.Env, s0.Env)
	}
	if !slices.Contains(a0.Cmd, "tier=edge") || slices.Contains(s0.Cmd, "tier=edge") {
		t.Errorf("node label filter: a0 %v s0 %v", a0.Cmd, s0.Cmd)
	}
	if !slices.Contains(s1.Cmd, "--disable=traefik") || slices.Contains(a0.Cmd, "--disable=traefik") || !slices.Contains(a0.Cmd, "--kubelet-arg=v=2") {
		t.Errorf("k3s-arg default is servers only: s1 %v a0 %v", s1.Cmd, a0.Cmd)
	}
	if len(s0.Mounts) != 2 || !s0.Mounts[1].ReadOnly || s0.Mounts[1].Target != "/dst" || len(s1.Mounts) != 1 {
		t.Errorf("volume filter: s0 %+v s1 %+v", s0.Mounts, s1.Mounts)
	}
	if s0.MemoryBytes != 1<<30 || a0.MemoryBytes != 0 {
		t.Errorf("memory: %d %d", s0.MemoryBytes, a0.MemoryBytes)
	}
	// Container flags from the node recipe.
	if !s0.Init || !s0.CgroupnsPrivate || s0.RestartPolicy != "unless-stopped" || s0.Hostname != s0.Name {
		t.Errorf("init/cgroupns/restart/hostname: %+v", s0)
	}
	if strings.Join(s0.Tmpfs, ",") != "/run,/var/run,/tmp" || s0.Mounts[0].Target != "/var/lib/mini" || s0.Mounts[0].Source != "mini-dev-server-0-data" {
		t.Errorf("tmpfs %v mounts %+v", s0.Tmpfs, s0.Mounts)
	}
	if s0.Labels[LabelRole] != RoleServer || s0.Labels[LabelIP] != s0.IP || s0.Labels[LabelAPIPort] != "40000" || s0.Labels[LabelCluster] != "dev" {
		t.Errorf("labels: %v", s0.Labels)
	}
	want := []string{"172.30.5.10:6443", "172.30.5.11:6443", "172.30.5.12:6443"}
	if len(p.LBConfig.Routes) != 1 || !slices.Equal(p.LBConfig.Routes[0].Backends, want) || p.LBConfig.Routes[0].ListenPort != 6443 {
		t.Errorf("lb config: %+v, want backends %v", p.LBConfig, want)
	}
}

// flagValue returns the value after flag in cmd, or "".
func flagValue(cmd []string, flag string) string {
	if i := slices.Index(cmd, flag); i >= 0 && i+1 < len(cmd) {
		return cmd[i+1]
	}
	return ""
}

func TestBuildPlanWithoutLBJoinsServer0(t *testing.T) {
	o := defaultOpts("dev")
	o.Servers, o.Agents, o.NoLB = 3, 1, true
	p := mustPlan(t, o, false)
	for _, n := range []plannedNode{p.Servers[1], p.Agents[0]} {
		if got := flagValue(n.Spec.Cmd, "--server"); got != "https://172.30.5.10:6443" {
			t.Errorf("%s joins %q, want server 0", n.Spec.Name, got)
		}
	}
	if p.LB != nil || len(p.Servers[0].Spec.Ports) != 1 {
		t.Errorf("no-lb plan: lb %v, server 0 ports %v", p.LB, p.Servers[0].Spec.Ports)
	}
}

func TestPlanDatastore(t *testing.T) {
	for _, tt := range []struct {
		servers int
		args    []string
		env     []string
		want    string
	}{
		{1, nil, nil, DatastoreSQLite},
		{3, nil, nil, DatastoreEtcd},
		{1, []string{"--cluster-init"}, nil, DatastoreEtcd},
		{1, []string{"--cluster-init@agent:0"}, nil, DatastoreSQLite},
		{1, nil, []string{"K3S_CLUSTER_INIT=true@server:0"}, DatastoreEtcd},
		{1, []string{"--datastore-endpoint=http://etcd:2379"}, nil, DatastoreExternal},
	} {
		o := defaultOpts("dev")
		o.Servers, o.Agents, o.K3sArgs, o.Env = tt.servers, 1, tt.args, tt.env
		p := mustPlan(t, o, false)
		if got := p.Servers[0].Spec.Labels[LabelDatastore]; got != tt.want {
			t.Errorf("servers %d, args %v, env %v: datastore %q, want %q", tt.servers, tt.args, tt.env, got, tt.want)
		}
	}
}

func TestBuildPlanPrivilegedModes(t *testing.T) {
	emulated := mustPlan(t, defaultOpts("dev"), false).Servers[0].Spec
	if emulated.Privileged || !slices.Equal(emulated.CapAdd, []string{"ALL"}) || !slices.Equal(emulated.CapDrop, []string{"SYS_RESOURCE"}) ||
		!slices.Contains(emulated.SecurityOpt, "systempaths=unconfined") || !slices.Equal(emulated.DeviceCgroupRules, []string{"a *:* rwm"}) ||
		!slices.Equal(emulated.Devices, []string{"/dev/kmsg"}) {
		t.Errorf("emulated privileged: %+v", emulated)
	}
	real := mustPlan(t, defaultOpts("dev"), true).Servers[0].Spec
	if !real.Privileged || len(real.CapAdd) > 0 {
		t.Errorf("privileged: %+v", real)
	}
	single := mustPlan(t, defaultOpts("dev"), true).Servers[0].Spec
	if slices.Contains(single.Cmd, "--cluster-init") {
		t.Errorf("a single server needs no --cluster-init: %v", single.Cmd)
	}
}

func TestBuildPlanPorts(t *testing.T) {
	o := defaultOpts("dev")
	o.Agents = 2
	o.Ports = []string{"8080:80@loadbalancer", "30000-30002:30000-30002", "5353:53/udp@agents:*", "0.0.0.0:9090:90@agent:1:direct", "81"}
	p := mustPlan(t, o, false)

	lb := p.LB.Spec
	want := []runtime.PortMapping{
		{HostIP: "127.0.0.1", HostPort: 40000, ContainerPort: 6443},
		{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 30000, ContainerPort: 30000, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 30001, ContainerPort: 30001, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 30002, ContainerPort: 30002, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 5353, ContainerPort: 53, Protocol: "udp"},
		// No host port: the engine picks one.
		{HostIP: "127.0.0.1", HostPort: 0, ContainerPort: 81, Protocol: "tcp"},
	}
	if !slices.Equal(lb.Ports, want) {
		t.Errorf("load balancer ports:\n%+v\nwant\n%+v", lb.Ports, want)
	}
	if got := lb.Labels[LabelPorts]; got != "127.0.0.1:8080:80/tcp@all 127.0.0.1:30000-30002:30000-30002/tcp@all 127.0.0.1:5353:53/udp@agents:* 127.0.0.1::81/tcp@all" {
		t.Errorf("load balancer label %s = %q", LabelPorts, got)
	}
	// The direct port is on agent 1 alone, not on the load balancer.
	a1 := p.Agents[1].Spec
	if !slices.Equal(a1.Ports, []runtime.PortMapping{{HostIP: "0.0.0.0", HostPort: 9090, ContainerPort: 90, Protocol: "tcp"}}) ||
		a1.Labels[LabelPorts] != "0.0.0.0:9090:90/tcp@agent:1:direct" {
		t.Errorf("agent 1: ports %+v, label %q", a1.Ports, a1.Labels[LabelPorts])
	}
	if len(p.Agents[0].Spec.Ports)+len(p.Servers[0].Spec.Ports) != 0 || p.Agents[0].Spec.Labels[LabelPorts] != "" {
		t.Errorf("other nodes publish: %+v %+v", p.Agents[0].Spec.Ports, p.Servers[0].Spec.Ports)
	}
	routes := map[string][]string{}
	for _, r := range p.LBConfig.Routes {
		routes[strconv.Itoa(r.ListenPort)+"-"+strconv.Itoa(r.LastPort)+"/"+r.Protocol] = r.Backends
	}
	for key, backends := range map[string][]string{
		"6443-0/":         {"172.30.5.10:6443"},
		"80-0/tcp":        {"172.30.5.10:80", "172.30.5.100:80", "172.30.5.101:80"},
		"30000-30002/tcp": {"172.30.5.10", "172.30.5.100", "172.30.5.101"},
		"53-0/udp":        {"172.30.5.100:53", "172.30.5.101:53"},
		"81-0/tcp":        {"172.30.5.10:81", "172.30.5.100:81", "172.30.5.101:81"},
	} {
		if !slices.Equal(routes[key], backends) {
			t.Errorf("route %s: backends %v, want %v", key, routes[key], backends)
		}
	}
	if len(routes) != 5 {
		t.Errorf("routes: %v", routes)
	}
	if _, err := loadbalancer.Render(p.LBConfig); err != nil {
		t.Error(err)
	}
}

func TestBuildPlanPortsWithoutLB(t *testing.T) {
	o := defaultOpts("dev")
	o.Agents, o.NoLB = 1, true
	o.Ports = []string{"8080:80", "9090:90@agent:0"}
	p := mustPlan(t, o, false)
	s0, a0 := p.Servers[0].Spec, p.Agents[0].Spec
	if len(s0.Ports) != 2 || s0.Ports[1] != (runtime.PortMapping{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}) {
		t.Errorf("server 0 ports: %+v", s0.Ports)
	}
	if len(a0.Ports) != 1 || a0.Ports[0].HostPort != 9090 {
		t.Errorf("agent 0 ports: %+v", a0.Ports)
	}
}
