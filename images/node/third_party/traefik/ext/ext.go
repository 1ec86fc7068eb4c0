// Package ext stands in for traefik's nested module
// github.com/traefik/traefik/dynamic/ext, which traefik's own go.mod
// replaces with a directory that is not part of the published v3 module
// (a nested go.mod keeps it out of the module zip), so no build outside
// traefik's repository can find it.
//
// It is an extension point: traefik embeds these empty structs in its
// dynamic configuration types (dynamic.HTTPConfiguration, dynamic.Router) so
// that other builds can add fields. The open-source build adds none, and
// neither does this one.
package ext

// HTTP is embedded in traefik's dynamic.HTTPConfiguration.
type HTTP struct{}

// Router is embedded in traefik's dynamic.Router.
type Router struct{}
