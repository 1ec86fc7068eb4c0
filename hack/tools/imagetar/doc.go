// Command imagetar writes a single-layer container image as a docker-archive
// tarball (manifest.json + config JSON + one uncompressed layer tar), the
// format both `docker load` and `ctr -n k8s.io images import` accept.
//
// mini preloads a handful of tiny images (pause, CoreDNS, the test app, …)
// into every node without a registry. Each is one static binary, so a
// Dockerfile, a builder and a daemon would add nothing but time and
// non-determinism. imagetar needs only the Go standard library and its output
// is byte-reproducible: entries are sorted, every timestamp is the Unix epoch
// and every owner is root, so an image's digest changes only when its content
// does.
//
// Usage:
//
//	imagetar --name mini.local/testapp:1 --entrypoint /testapp \
//	    --file _output/testapp:/testapp:0755 \
//	    --symlink /bin/sh:busybox --env PORT=8080 -o testapp.tar
//
// --entrypoint, --file, --symlink and --env may be repeated; each
// --entrypoint adds one argument to the entrypoint.
package main
