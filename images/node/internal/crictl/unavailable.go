//go:build !mini_crictl

package crictl

import "errors"

// Run fails: this binary was built without the overlay that adds crictl.
func Run([]string) error {
	return errors.New("this mini-node was built without crictl; build it with hack/build-mini-node.sh (make node-image), which adds cri-tools' crictl")
}
