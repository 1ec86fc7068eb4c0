// Added as traefik_fork.go to the copy of github.com/abbot/go-http-auth
// v0.4.0 that ../prepare.sh writes to _patched/go-http-auth.
//
// traefik replaces go-http-auth with its fork github.com/containous/go-http-auth,
// which the Go module proxy mini builds from does not serve. Of the fork's
// API, traefik's BasicAuth and DigestAuth middlewares need CheckSecret and
// DigestAuth.RequireAuthStale, which v0.4.0 lacks. prepare.sh also renames
// v0.4.0's DigestAuth.RequireAuth (digest.go) out of the way: it writes the
// nonce map without the mutex CheckAuth holds, so concurrent challenges
// could crash traefik. The RequireAuth here holds it.

package auth

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// CheckSecret reports whether password matches secret, an htpasswd entry:
// bcrypt ($2y$, $2a$, $2b$), {SHA} or MD5-crypt ($apr1$, $1$), dispatched
// exactly as BasicAuth.CheckAuth does.
func CheckSecret(password, secret string) bool {
	compare := compareFuncs[0].compare
	for _, cmp := range compareFuncs[1:] {
		if strings.HasPrefix(secret, cmp.prefix) {
			compare = cmp.compare
			break
		}
	}
	return compare([]byte(secret), []byte(password)) == nil
}

// RequireAuth answers 401 with a fresh Digest challenge.
func (a *DigestAuth) RequireAuth(w http.ResponseWriter, r *http.Request) {
	a.challenge(w, false)
}

// RequireAuthStale answers 401 with a fresh Digest challenge marked
// stale=true, telling the client to retry with the new nonce without asking
// the user again (RFC 7616 section 3.3).
func (a *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {
	a.challenge(w, true)
}

func (a *DigestAuth) challenge(w http.ResponseWriter, stale bool) {
	nonce := RandomKey()
	a.mutex.Lock()
	if len(a.clients) > a.ClientCacheSize+a.ClientCacheTolerance {
		a.Purge(a.ClientCacheTolerance * 2)
	}
	a.clients[nonce] = &digest_client{nc: 0, last_seen: time.Now().UnixNano()}
	a.mutex.Unlock()
	value := fmt.Sprintf(`Digest realm="%s", nonce="%s", opaque="%s", algorithm="MD5", qop="auth"`,
		a.Realm, nonce, a.Opaque)
	if stale {
		value += `, stale=true`
	}
	w.Header().Set(contentType, a.Headers.V().UnauthContentType)
	w.Header().Set(a.Headers.V().Authenticate, value)
	w.WriteHeader(a.Headers.V().UnauthCode)
	w.Write([]byte(a.Headers.V().UnauthResponse))
}
