// Package version holds mini's version, stamped at build time, and the
// default images it runs (node, load balancer, registry), kept in lock-step
// with images/versions.env and images/lb/VERSION (a unit test checks both).
package version
