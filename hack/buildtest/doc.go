// Package buildtest proves hack/build.sh and hack/lib.sh, the one mechanism
// every image build runs on, against small fake steps: one line per step,
// logs kept out of the terminal, failures named with their log, dependencies
// honoured, Ctrl-C stopping everything, and interrupted or failed artifacts
// never taken for finished. The real steps are exercised by every
// `make images` and by the e2e tests that use their images. It also holds
// the repository-wide build rules: the image modules at the node's module
// versions, and CI running exactly the README's test command, linted.
package buildtest
