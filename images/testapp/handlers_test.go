package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// fakeLookup answers from a table so DNS tests need no network.
func fakeLookup(ctx context.Context, name string) ([]string, error) {
	switch name {
	case "kubernetes.default":
		return []string{"10.96.0.1", "10.96.0.0"}, nil
	default:
		return nil, errors.New("no such host")
	}
}

func get(t *testing.T, h http.Handler, target string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body)
}

func TestHandler(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/teapot" {
			w.WriteHeader(http.StatusTeapot)
		}
		io.WriteString(w, "upstream "+r.URL.Path)
	}))
	defer upstream.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	h := newHandler("pod-a", fakeLookup, &http.Client{Timeout: 5 * time.Second})
	for _, tc := range []struct {
		target     string
		wantStatus int
		wantBody   string // exact unless wantPrefix
		wantPrefix bool
	}{
		{"/", 200, "hello from pod-a\n", false},
		{"/healthz", 200, "ok\n", false},
		{"/nope", 404, "404 page not found\n", false},
		{"/dns?name=kubernetes.default", 200, "10.96.0.0\n10.96.0.1\n", false},
		{"/dns?name=missing.invalid", 500, "resolve missing.invalid: no such host\n", false},
		{"/dns", 400, "missing query parameter name\n", false},
		{"/get?url=" + url.QueryEscape(upstream.URL+"/x"), 200, "200\nupstream /x", false},
		{"/get?url=" + url.QueryEscape(upstream.URL+"/teapot"), 200, "418\nupstream /teapot", false},
		{"/get?url=" + url.QueryEscape(closed.URL), 502, "get " + closed.URL + ": ", true},
		{"/get?url=" + url.QueryEscape("::bad"), 502, "get ::bad: build request: ", true},
		{"/get", 400, "missing query parameter url\n", false},
	} {
		status, body := get(t, h, tc.target)
		if status != tc.wantStatus {
			t.Errorf("GET %s: status %d, want %d (body %q)", tc.target, status, tc.wantStatus, body)
		}
		if tc.wantPrefix && !strings.HasPrefix(body, tc.wantBody) || !tc.wantPrefix && body != tc.wantBody {
			t.Errorf("GET %s: body %q, want %q", tc.target, body, tc.wantBody)
		}
	}
}

func TestPostRejected(t *testing.T) {
	h := newHandler("pod-a", fakeLookup, http.DefaultClient)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST /: status %d, want 405", rec.Code)
	}
}

// TestGoResolverLocalhost checks the real resolver path on a name every
// host resolves from /etc/hosts, so it needs no DNS server.
func TestGoResolverLocalhost(t *testing.T) {
	h := newHandler("pod-a", goResolver, http.DefaultClient)
	status, body := get(t, h, "/dns?name=localhost")
	if status != 200 || !strings.Contains(body, "127.0.0.1") {
		t.Errorf("GET /dns?name=localhost: %d %q", status, body)
	}
}

func TestRunSleepStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"sleep"}) }()
	select {
	case err := <-done:
		t.Fatalf("sleep returned before cancel: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("sleep: %v", err)
	}
	if err := run(context.Background(), []string{"bogus"}); err == nil {
		t.Error("run with unknown argument succeeded")
	}
}
