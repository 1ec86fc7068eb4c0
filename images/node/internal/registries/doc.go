// Package registries reads a k3s registries.yaml (--private-registry,
// default /etc/rancher/k3s/registries.yaml) and turns it into what
// containerd 2.x reads:
//
//   - a hosts directory (the CRI plugin's registry "config_path"): one
//     <host>/hosts.toml per mirror, "*" being _default, listing the mirror's
//     endpoints in order, each with the TLS settings of its configs entry,
//     and the registry's own upstream as the fallback "server";
//   - credentials, which hosts.toml cannot hold: containerd still looks them
//     up in the CRI config's registry.configs.'HOST'.auth, keyed by the host
//     it is talking to, so [Registry.Auths] lists them for the containerd
//     config template.
//
// The file is decoded strictly, in k3s's schema: an unknown field is an
// error naming it and its line, so a typo never silently loses a mirror.
// k3s's "rewrite" of repository names has no hosts.toml equivalent (k3s
// patches containerd for it) and is refused rather than ignored. Every
// problem in the file is reported at once.
//
// The hosts directory is regenerated from scratch at every start
// ([WriteHostsDir]), so a mirror removed from the file is gone after a
// restart.
package registries
