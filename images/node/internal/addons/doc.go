// Package addons holds the cluster add-ons a mini server installs after its
// API server comes up — CoreDNS, the local-path storage provisioner,
// metrics-server and the Traefik ingress controller — and the code that puts
// them into the cluster.
//
// Each add-on is one embedded manifest (manifests/<name>.yaml) rendered with
// text/template from [Values]. The names match k3s's --disable names, so users
// coming from k3s/k3d can keep their muscle memory: "coredns",
// "local-storage", "metrics-server", "traefik", plus "servicelb", which is
// accepted but has no manifest here (it is an in-process controller, see
// package servicelb).
//
// [Deploy] applies every object with server-side apply under one field
// manager, so restarting a server re-asserts the desired state without
// clobbering fields other managers own, and it removes the objects of
// add-ons that are now disabled. Every object carries the label
// mini.dev/addon=<name>; that label is the only state used to find what an
// earlier start created (no files on the node record it).
//
// All images are preloaded into the node image under mini.local/ names and
// there is no registry, so every container uses imagePullPolicy IfNotPresent
// and the image names are constants checked against images/versions.env.
package addons
