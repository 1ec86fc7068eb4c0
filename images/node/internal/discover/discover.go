package discover

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/await"
	"github.com/minictl/mini/images/node/internal/token"
)

// ErrCAMismatch is returned when the server's CA is not the one the token pins.
var ErrCAMismatch = errors.New("server CA does not match the token")

// ClusterInfoPath is where the anonymous cluster-info ConfigMap is served.
const ClusterInfoPath = "/api/v1/namespaces/kube-public/configmaps/cluster-info"

// ClientCAKey is the cluster-info key that carries the client CA.
const ClientCAKey = "client-ca.crt"

// Info is what a joiner learns about the cluster.
type Info struct {
	// ServerCA verifies the apiservers; ClientCA is what they verify clients with.
	ServerCA, ClientCA []byte
	// Pool holds ServerCA, for verified connections to the server.
	Pool *x509.CertPool
}

// ClusterInfo fetches and verifies the cluster's CAs from server. A token
// without a CA hash trusts the first CA it sees, as kubeadm's unsafe
// discovery does, and says so in the log.
func ClusterInfo(ctx context.Context, server string, tok token.Token) (Info, error) {
	info, err := fetch(ctx, server, nil)
	if err != nil {
		return Info{}, err
	}
	if tok.CAHash == "" {
		klog.InfoS("Token carries no CA hash; trusting the server's CA on first use", "server", server)
	} else if err := tok.VerifyCA(info.ServerCA); err != nil {
		return Info{}, fmt.Errorf("%w: %v", ErrCAMismatch, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(info.ServerCA) {
		return Info{}, errors.New("cluster-info: server CA is not PEM")
	}
	// Now that the CA is trusted, read the rest over a verified connection.
	if info, err = fetch(ctx, server, pool); err != nil {
		return Info{}, err
	}
	info.Pool = pool
	return info, nil
}

// HTTPClient returns a client that verifies the server with pool.
func HTTPClient(pool *x509.CertPool) *http.Client {
	tlsCfg := &tls.Config{RootCAs: pool, InsecureSkipVerify: pool == nil} //nolint:gosec // verified by hash
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsCfg}}
}

// Retry calls get every second until it succeeds, returns an error marked
// Permanent, or ctx ends: a joiner may well start long before its server
// answers (package await says why there is no deadline).
func Retry[T any](ctx context.Context, what string, get func(context.Context) (T, error)) (T, error) {
	var v T
	err := await.Until(ctx, time.Second, what, func(ctx context.Context) (err error) {
		v, err = get(ctx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// Permanent wraps err so Retry returns it at once.
func Permanent(err error) error { return await.Permanent(err) }

// Get fetches url (with a bearer token unless empty) and returns the body
// of a 200 answer.
func Get(ctx context.Context, client *http.Client, url, bearer string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, nil
}

func fetch(ctx context.Context, server string, pool *x509.CertPool) (Info, error) {
	client := HTTPClient(pool)
	return Retry(ctx, "server "+server+": cluster-info", func(ctx context.Context) (Info, error) {
		body, err := Get(ctx, client, server+ClusterInfoPath, "")
		if err != nil {
			return Info{}, err
		}
		return parse(body)
	})
}

func parse(body []byte) (Info, error) {
	var cm struct {
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal(body, &cm); err != nil {
		return Info{}, fmt.Errorf("cluster-info: %w", err)
	}
	kc, err := clientcmd.Load([]byte(cm.Data["kubeconfig"]))
	if err != nil {
		return Info{}, fmt.Errorf("cluster-info kubeconfig: %w", err)
	}
	for _, c := range kc.Clusters {
		return Info{ServerCA: c.CertificateAuthorityData, ClientCA: []byte(cm.Data[ClientCAKey])}, nil
	}
	return Info{}, errors.New("cluster-info: no cluster in kubeconfig")
}
