package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"k8s.io/klog/v2"
)

// DNSProxy forwards DNS from the node's address to Docker's embedded resolver.
//
// On a user-defined Docker network the node's resolv.conf names 127.0.0.11,
// which Docker serves only inside the node's network namespace. Pods live in
// namespaces of their own, so CoreDNS (and any pod with dnsPolicy Default)
// could not resolve names outside the cluster — k3d's most reported DNS
// problem. Listening on the node IP and relaying to 127.0.0.11 fixes that
// with nothing but the node process.
type DNSProxy struct {
	Listen   string // node IP
	Upstream string // 127.0.0.11:53
}

const dnsTimeout = 5 * time.Second

// Run serves UDP and TCP until ctx ends.
func (p *DNSProxy) Run(ctx context.Context) error {
	addr := net.JoinHostPort(p.Listen, "53")
	udp, err := net.ListenPacket("udp", addr)
	if err != nil {
		return fmt.Errorf("dns proxy: %w", err)
	}
	tcp, err := net.Listen("tcp", addr)
	if err != nil {
		udp.Close()
		return fmt.Errorf("dns proxy: %w", err)
	}
	go func() {
		<-ctx.Done()
		udp.Close()
		tcp.Close()
	}()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.serveUDP(udp) }()
	go func() { defer wg.Done(); p.serveTCP(tcp) }()
	wg.Wait()
	return nil
}

func (p *DNSProxy) serveUDP(conn net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				klog.ErrorS(err, "DNS proxy read")
			}
			return
		}
		query := append([]byte(nil), buf[:n]...)
		go func() {
			up, err := net.DialTimeout("udp", p.Upstream, dnsTimeout)
			if err != nil {
				return
			}
			defer up.Close()
			_ = up.SetDeadline(time.Now().Add(dnsTimeout))
			if _, err := up.Write(query); err != nil {
				return
			}
			resp := make([]byte, 65535)
			m, err := up.Read(resp)
			if err != nil {
				return
			}
			_, _ = conn.WriteTo(resp[:m], from)
		}()
	}
}

func (p *DNSProxy) serveTCP(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				klog.ErrorS(err, "DNS proxy accept")
			}
			return
		}
		go func() {
			defer c.Close()
			up, err := net.DialTimeout("tcp", p.Upstream, dnsTimeout)
			if err != nil {
				return
			}
			defer up.Close()
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			go func() { _, _ = io.Copy(up, c) }()
			_, _ = io.Copy(c, up)
		}()
	}
}
