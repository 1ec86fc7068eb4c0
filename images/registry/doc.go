// Command registry is the CNCF Distribution registry (v3) with only what mini
// needs: the HTTP API, htpasswd authentication, pull-through caching (proxy
// mode) and the filesystem and in-memory storage drivers.
//
// Upstream's cmd/registry also links the Azure, GCS and S3 storage drivers,
// the CloudFront/redirect/rewrite storage middlewares, the token and silly
// auth backends and net/http/pprof. mini runs a registry as a local container
// next to its clusters (a push target, or a cache in front of an upstream
// registry), storing blobs on a Docker volume, so none of those are ever
// used; leaving them out drops the cloud SDKs from the build, which makes the
// binary and the image a fraction of upstream's size and the cold compile
// much shorter.
//
// The version comes from distribution's own version package, stamped at link
// time exactly like upstream's Makefile does:
//
//	-X github.com/distribution/distribution/v3/version.version=v3.1.2
//
// hack/build-registry-image.sh builds it and packs it with config.yml into
// the mini-registry image.
package main
