package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// maxBody caps what /get relays: tests compare short answers, and a cap keeps
// a misdirected request from filling the pod's memory.
const maxBody = 1 << 20

// lookupFunc resolves a host name to addresses.
type lookupFunc func(ctx context.Context, name string) ([]string, error)

// newHandler wires the endpoints; lookup and client are parameters so tests
// run without a network.
func newHandler(hostname string, lookup lookupFunc, client *http.Client) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "hello from %s\n", hostname)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /dns", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		if name == "" {
			http.Error(w, "missing query parameter name", http.StatusBadRequest)
			return
		}
		addrs, err := lookup(r.Context(), name)
		if err != nil {
			http.Error(w, fmt.Sprintf("resolve %s: %v", name, err), http.StatusInternalServerError)
			return
		}
		sort.Strings(addrs)
		fmt.Fprintln(w, strings.Join(addrs, "\n"))
	})
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		target := r.URL.Query().Get("url")
		if target == "" {
			http.Error(w, "missing query parameter url", http.StatusBadRequest)
			return
		}
		status, body, err := fetch(r, client, target)
		if err != nil {
			http.Error(w, fmt.Sprintf("get %s: %v", target, err), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "%d\n", status)
		w.Write(body)
	})
	return mux
}

// fetch GETs target on behalf of r, so the caller's cancellation applies too.
func fetch(r *http.Request, client *http.Client, target string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, target, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("build request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, fmt.Errorf("read body: %w", err)
	}
	return resp.StatusCode, body, nil
}
