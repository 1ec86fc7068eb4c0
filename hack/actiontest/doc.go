// Package actiontest holds the tests of the composite GitHub Action in
// action.yml at the repository root: the file is well-formed, every input
// and step output it references exists, every script parses, and the
// scripts that need neither GitHub nor Docker (finding the source, looking
// for the images, building the create command line, writing the
// kubeconfig) do what docs/github-actions.md says, run by bash against
// stub mini and docker commands. The workflow examples in the docs are
// checked against the action's inputs and outputs too.
//
// What these tests cannot show is a run on GitHub's runners: the
// image build there (sudo, mmdebstrap on Ubuntu) and the cache steps.
package actiontest
