// Package docker implements runtime.Runtime on the Docker Engine API.
//
// Docker's own types never leave this package: translate.go turns mini's
// specs into Engine API structures with pure functions that are table-tested
// without an engine. One client is created per process, from the environment
// (DOCKER_HOST, DOCKER_CONTEXT-derived settings, TLS) with API version
// negotiation so older engines (API 1.41 on Debian's docker.io 20.10) work.
package docker
