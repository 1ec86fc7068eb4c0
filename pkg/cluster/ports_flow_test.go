package cluster

import (
	"context"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/minictl/mini/pkg/runtime"
)

// upstreamOf returns the servers of one upstream block of conf.
func upstreamOf(conf, name string) []string {
	_, rest, ok := strings.Cut(conf, "upstream "+name+" {\n")
	if !ok {
		return nil
	}
	block, _, _ := strings.Cut(rest, "}")
	return upstreamServers(block)
}

// freePort returns a host port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestCreateWithPorts(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 1, func(o *CreateOptions) {
		o.Ports = []string{"30000-30002:30000-30002", "5353:53/udp@agents:*", "0.0.0.0:9090:90@agent:0:direct"}
	})
	lb := h.rt.Container("mini-dev-lb")
	conf := string(lb.Files["/etc/nginx/mini/stream.conf"])
	for _, want := range []string{"listen 30000-30002;", "listen 53 udp;", "server 172.30.0.100:53 ", "    * 172.30.0.100;"} {
		if !strings.Contains(conf, want) {
			t.Errorf("seeded config lacks %q:\n%s", want, conf)
		}
	}
	if strings.Contains(conf, "listen 90") {
		t.Errorf("a direct port went through the load balancer:\n%s", conf)
	}
	cl, err := h.p.Get(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cl.Ports, []string{"127.0.0.1:30000-30002:30000-30002/tcp@all", "127.0.0.1:5353:53/udp@agents:*"}) {
		t.Errorf("cluster ports = %v", cl.Ports)
	}
	if got := cl.LoadBalancer.Ports; len(got) != 3 || got[1] != "127.0.0.1:30000-30002->30000-30002/tcp" || got[2] != "127.0.0.1:5353->53/udp" {
		t.Errorf("load balancer publishes %v", got)
	}
	if got := cl.Agents[0].Ports; !slices.Equal(got, []string{"0.0.0.0:9090->90/tcp"}) {
		t.Errorf("agent 0 publishes %v", got)
	}
}

func TestCreateRefusesPortsBeforeCreatingAnything(t *testing.T) {
	taken := listen(t) // 127.0.0.1:PORT
	_, port, _ := net.SplitHostPort(taken)
	p, _ := strconv.Atoi(port)
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	udpPort := strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port)
	for _, tt := range []struct {
		name  string
		ports []string
		api   string
		want  []string
	}{
		{"taken port", []string{taken + ":80"}, "", []string{`--port "` + taken + `:80": host port ` + port + " on 127.0.0.1 is not available"}},
		{"taken port in a range", []string{strconv.Itoa(p-1) + "-" + strconv.Itoa(p+1) + ":8000-8002"}, "", []string{"host port " + port, "not available"}},
		{"taken udp port", []string{udpPort + ":53/udp"}, "", []string{udpPort + " on 127.0.0.1 is not available"}},
		{"two ports on one host port", []string{"8080:80", "8080:81"}, "", []string{`--port "8080:81": host port 127.0.0.1:8080/tcp clashes with --port "8080:80"`}},
		{"the API's host port", []string{"6550:80"}, "127.0.0.1:6550", []string{"clashes with the API (--api-port)"}},
		{"several problems at once", []string{"8080:80@agent:3", "x"}, "", []string{"index 3", `--port "x"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			o := defaultOpts("dev")
			o.Ports, o.APIPort = tt.ports, tt.api
			err := h.p.Create(context.Background(), o)
			for _, want := range tt.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Create() = %v, want an error containing %q", err, want)
				}
			}
			if calls := h.rt.Calls(); len(calls) > 0 {
				t.Errorf("Create() touched the engine: %v", calls)
			}
		})
	}
}

// The new agent is a backend of every port whose filter selects it, and
// leaves them when it is deleted.
func TestNodeCreateAddsPortBackends(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 0, func(o *CreateOptions) {
		o.Ports = []string{"8080:80", "9090:90@servers:*", "30000-30001"}
	})
	ctx := context.Background()
	if err := h.p.CreateNodes(ctx, nodeOpts("dev", "w", RoleAgent, 1)); err != nil {
		t.Fatal(err)
	}
	conf := h.lbConf("mini-dev-lb")
	if got := upstreamOf(conf, "port_80_tcp"); !slices.Equal(got, []string{"172.30.0.10:80", "172.30.0.100:80"}) {
		t.Errorf("port 80 backends %v, want server 0 and the new agent", got)
	}
	if got := upstreamOf(conf, "port_90_tcp"); !slices.Equal(got, []string{"172.30.0.10:90"}) {
		t.Errorf("port 90 (servers only) backends %v", got)
	}
	if !strings.Contains(conf, "% 172.30.0.10;") || !strings.Contains(conf, "* 172.30.0.100;") {
		t.Errorf("range lacks the new agent:\n%s", conf)
	}
	if err := h.p.DeleteNodes(ctx, NodeDeleteOptions{Names: []string{"w-0"}, Cluster: "dev"}); err != nil {
		t.Fatal(err)
	}
	if got := upstreamOf(h.lbConf("mini-dev-lb"), "port_80_tcp"); !slices.Equal(got, []string{"172.30.0.10:80"}) {
		t.Errorf("port 80 backends after the delete %v", got)
	}
}

func TestEditPorts(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 1, func(o *CreateOptions) { o.Ports = []string{"8080:80", "81"} })
	ctx := context.Background()
	before := h.rt.Container("mini-dev-lb").Spec
	n := len(h.rt.Calls())
	err := h.p.Edit(ctx, EditOptions{Name: "dev",
		PortAdd:    []string{"30000-30002@agents:*", "5353:53/udp"},
		PortDelete: []string{"8080:80"}})
	if err != nil {
		t.Fatal(err)
	}
	lb := h.rt.Container("mini-dev-lb")
	if lb == nil || !lb.Running || h.rt.Container("mini-dev-lb-old") != nil {
		t.Fatalf("containers after edit: %v", h.rt.ContainerNames())
	}
	want := []runtime.PortMapping{before.Ports[0], before.Ports[2],
		{HostIP: "127.0.0.1", HostPort: 30000, ContainerPort: 30000, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 30001, ContainerPort: 30001, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 30002, ContainerPort: 30002, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 5353, ContainerPort: 53, Protocol: "udp"}}
	if !slices.Equal(lb.Spec.Ports, want) {
		t.Errorf("new load balancer ports\n%+v\nwant\n%+v", lb.Spec.Ports, want)
	}
	if got := lb.Spec.Labels[LabelPorts]; got != "127.0.0.1::81/tcp@all 127.0.0.1:30000-30002:30000-30002/tcp@agents:* 127.0.0.1:5353:53/udp@all" {
		t.Errorf("ports label %q", got)
	}
	for k, v := range before.Labels {
		if k != LabelPorts && lb.Spec.Labels[k] != v {
			t.Errorf("label %s = %q, was %q", k, lb.Spec.Labels[k], v)
		}
	}
	if lb.Spec.IP != before.IP || lb.Spec.Network != before.Network || lb.Spec.Image != before.Image {
		t.Errorf("new load balancer %+v, old %+v", lb.Spec, before)
	}
	conf := h.lbConf("mini-dev-lb")
	if strings.Contains(conf, "listen 80;") || !strings.Contains(conf, "listen 30000-30002;") || !strings.Contains(conf, "listen 53 udp;") {
		t.Errorf("applied config:\n%s", conf)
	}
	calls := h.rt.Calls()[n:]
	order := []string{"RenameContainer mini-dev-lb mini-dev-lb-old", "StopContainer mini-dev-lb-old", "CreateContainer mini-dev-lb",
		"StartContainer mini-dev-lb", "RemoveContainer mini-dev-lb-old"}
	last := -1
	for _, c := range order {
		i := slices.Index(calls, c)
		if i < 0 || i < last {
			t.Errorf("call %q missing or out of order: %v", c, calls)
		}
		last = i
	}
}

// A stopped cluster's load balancer is checked running and stopped again.
func TestEditPortsOfStoppedCluster(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 0)
	ctx := context.Background()
	if err := h.p.Stop(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	if err := h.p.Edit(ctx, EditOptions{Name: "dev", PortAdd: []string{"8080:80"}}); err != nil {
		t.Fatal(err)
	}
	lb := h.rt.Container("mini-dev-lb")
	if lb.Running || lb.Spec.Labels[LabelPorts] != "127.0.0.1:8080:80/tcp@all" || len(h.rt.ContainerNames()) != 2 {
		t.Errorf("after edit: running %v, label %q, containers %v", lb.Running, lb.Spec.Labels[LabelPorts], h.rt.ContainerNames())
	}
}

func TestEditPortsRollsBack(t *testing.T) {
	boom := errors.New("boom")
	for _, tt := range []struct {
		name string
		// fail breaks the new load balancer, which adds host port
		// port; cancel ends the context.
		fail func(h *harness, cancel func(), port int)
		want string
	}{
		{"host port taken in the engine", func(h *harness, _ func(), port int) {
			// Someone else's container publishes the port (the fake
			// binds no host port, so only the engine can tell).
			spec := runtime.ContainerSpec{Name: "squatter", Image: nodeImage,
				Ports: []runtime.PortMapping{{HostIP: "127.0.0.1", HostPort: port, ContainerPort: 1}}}
			if _, err := h.rt.CreateContainer(context.Background(), spec); err != nil {
				panic(err)
			}
			_ = h.rt.StartContainer(context.Background(), "squatter")
		}, "port is already allocated"},
		{"nginx refuses the config", func(h *harness, _ func(), _ int) {
			first := true
			exec := h.rt.Hooks.Exec
			h.rt.Hooks.Exec = func(name string, spec runtime.ExecSpec) (int, error) {
				if name == "mini-dev-lb" && spec.Stdin != nil && first {
					first = false
					return 1, nil
				}
				return exec(name, spec)
			}
		}, "exited with code 1"},
		{"start fails", func(h *harness, _ func(), _ int) {
			first := true
			onStart := h.rt.Hooks.StartContainer
			h.rt.Hooks.StartContainer = func(name string) error {
				if name == "mini-dev-lb" && first {
					first = false
					return boom
				}
				return onStart(name)
			}
		}, "boom"},
		{"interrupted", func(h *harness, cancel func(), _ int) {
			onStart := h.rt.Hooks.StartContainer
			h.rt.Hooks.StartContainer = func(name string) error {
				if name == "mini-dev-lb" {
					cancel()
				}
				return onStart(name)
			}
		}, "was interrupted"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			port := freePort(t)
			h.createCluster(t, "dev", 1, 1, func(o *CreateOptions) { o.Ports = []string{"8080:80"} })
			before := *h.rt.Container("mini-dev-lb")
			beforeConf := h.lbConf("mini-dev-lb")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tt.fail(h, cancel, port)
			err := h.p.Edit(ctx, EditOptions{Name: "dev", PortAdd: []string{strconv.Itoa(port) + ":99"}})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "the old load balancer mini-dev-lb is back") {
				t.Fatalf("Edit() = %v, want an error containing %q saying the old load balancer is back", err, tt.want)
			}
			lb := h.rt.Container("mini-dev-lb")
			if lb == nil || !lb.Running || !slices.Equal(lb.Spec.Ports, before.Spec.Ports) || lb.Spec.Labels[LabelPorts] != before.Spec.Labels[LabelPorts] {
				t.Errorf("load balancer after rollback: %+v", lb)
			}
			names := slices.DeleteFunc(h.rt.ContainerNames(), func(n string) bool { return n == "squatter" })
			if !slices.Equal(names, []string{"mini-dev-agent-0", "mini-dev-lb", "mini-dev-server-0"}) {
				t.Errorf("containers after rollback: %v", names)
			}
			if got := h.lbConf("mini-dev-lb"); got != beforeConf {
				t.Errorf("config after rollback:\n%s\nwas\n%s", got, beforeConf)
			}
		})
	}
}

func TestEditPortsRefuses(t *testing.T) {
	taken := listen(t)
	for _, tt := range []struct {
		name string
		noLB bool
		o    EditOptions
		want []string
	}{
		{"nothing to do", false, EditOptions{}, []string{"nothing to change"}},
		{"direct port", false, EditOptions{PortAdd: []string{"9090:90@agent:0:direct"}}, []string{"a node's ports can only be set at create"}},
		{"no load balancer", true, EditOptions{PortAdd: []string{"9090:90"}}, []string{"no load balancer", "--no-lb"}},
		{"unknown port", false, EditOptions{PortDelete: []string{"9999:80", "0.0.0.0:8080:80"}},
			[]string{`--port-delete "9999:80": cluster dev has no such port (host port 9999/tcp on 127.0.0.1); its ports: 127.0.0.1:8080:80/tcp@all`, `--port-delete "0.0.0.0:8080:80"`}},
		{"taken host port", false, EditOptions{PortAdd: []string{taken + ":99"}}, []string{`--port-add "` + taken + `:99"`, "not available"}},
		{"clash with a kept port", false, EditOptions{PortAdd: []string{"8080:81"}}, []string{`--port-add "8080:81": host port 127.0.0.1:8080/tcp clashes with port "127.0.0.1:8080:80/tcp@all"`}},
		{"clash with a node's direct port", false, EditOptions{PortAdd: []string{"0.0.0.0:7070:99"}}, []string{"clashes with node mini-dev-agent-0"}},
		{"filter matching nothing", false, EditOptions{PortAdd: []string{"9090:90@agent:3"}}, []string{"index 3"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.createCluster(t, "dev", 1, 1, func(o *CreateOptions) {
				o.NoLB = tt.noLB
				if !tt.noLB {
					o.Ports = []string{"8080:80", "7070:70@agent:0:direct"}
				}
			})
			n := len(h.rt.Calls())
			tt.o.Name = "dev"
			err := h.p.Edit(context.Background(), tt.o)
			for _, want := range tt.want {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Edit() = %v, want an error containing %q", err, want)
				}
			}
			if after := h.rt.Calls()[n:]; len(after) > 0 {
				t.Errorf("the refusal touched the engine: %v", after)
			}
		})
	}
}

// Ports whose host port the engine picked keep it in the new container.
func TestKeepPickedPorts(t *testing.T) {
	ms := []runtime.PortMapping{
		{HostIP: "127.0.0.1", HostPort: 6550, ContainerPort: 6443},
		{HostIP: "127.0.0.1", ContainerPort: 80, Protocol: "tcp"},
		{HostIP: "127.0.0.1", ContainerPort: 80, Protocol: "udp"},
		{HostIP: "127.0.0.1", ContainerPort: 81, Protocol: "tcp"},
	}
	keepPickedPorts(ms, []runtime.PortMapping{
		{HostIP: "127.0.0.1", HostPort: 6550, ContainerPort: 6443, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 32768, ContainerPort: 80, Protocol: "tcp"},
	})
	if ms[1].HostPort != 32768 || ms[2].HostPort != 0 || ms[3].HostPort != 0 || ms[0].HostPort != 6550 {
		t.Errorf("pinned ports: %+v", ms)
	}
}
