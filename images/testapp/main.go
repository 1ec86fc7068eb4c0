// Command testapp is the one test workload of mini's e2e tests: a tiny HTTP
// server that lets a test check, from inside a pod, what it cannot check from
// outside — cluster DNS and pod→Service traffic — without wget or curl in
// the image (Debian's static busybox wget crashes in pods).
//
// Endpoints, on $PORT (default 8080):
//
//	GET /             200 "hello from <hostname>\n"
//	GET /healthz      200 "ok\n"
//	GET /dns?name=X   200 X's addresses, one a line, sorted (Go resolver);
//	                  500 with the error when the lookup fails
//	GET /get?url=U    200 "<status code>\n<body>" of an HTTP GET of U
//	                  (5 s timeout, body capped at 1 MiB); 502 with the
//	                  error when the request fails
//
// `testapp sleep` blocks instead of serving, for pods that only need to exist.
// `testapp alloc MIB` touches MIB MiB of memory, then blocks: under a smaller
// memory limit the kernel OOM-kills it. `testapp burn SECONDS` spins one CPU
// for that long, then prints its cgroup's CPU limit and how often it was
// throttled, and exits 0 (see limits.go).
// In every mode SIGINT and SIGTERM end it at once with status 0: as a pod's
// PID 1 it would otherwise ignore them and make every pod deletion wait out
// its grace period.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "testapp: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return runMode(ctx, args, os.Stdout)
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	hostname, err := os.Hostname()
	if err != nil {
		return fmt.Errorf("get hostname: %w", err)
	}
	srv := &http.Server{
		Addr:              net.JoinHostPort("", port),
		Handler:           newHandler(hostname, goResolver, &http.Client{Timeout: 5 * time.Second}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	fmt.Fprintf(os.Stderr, "testapp: listening on %s\n", srv.Addr)
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// In-flight test requests are short; a brief grace keeps the exit fast.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// goResolver resolves with Go's own DNS client, which reads /etc/resolv.conf
// like a pod's libc would, and works in a static binary without NSS.
func goResolver(ctx context.Context, name string) ([]string, error) {
	r := &net.Resolver{PreferGo: true}
	return r.LookupHost(ctx, name)
}
