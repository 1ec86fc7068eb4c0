// Package loadbalancer renders and applies the configuration of mini's load
// balancer container (nginx with the stream module, image images/lb).
//
// The configuration is produced by a pure function so it is unit-tested;
// applying it writes the file atomically inside the container (write a
// temporary file, rename), checks it with `nginx -t` and reloads nginx in
// place, failing on any non-zero exit code and restoring the previous file.
package loadbalancer
