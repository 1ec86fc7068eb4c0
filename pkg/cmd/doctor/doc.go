// Package doctor holds `mini doctor`: it runs the checks of package
// pkg/doctor and prints one line per check on stdout, the command's data.
package doctor
