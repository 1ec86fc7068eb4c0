package config

import (
	"github.com/minictl/mini/pkg/cluster"
)

// DefaultName is the cluster name when neither the file nor the command
// line names one, as for `mini cluster create` without a NAME.
const DefaultName = "dev"

// Defaults are the options of a file that sets nothing: those of `mini
// cluster create` without flags. A file's fields overlay them. The images
// are left empty: the library takes them from the image repository.
func Defaults() cluster.CreateOptions {
	return cluster.CreateOptions{
		Name:             DefaultName,
		Servers:          1,
		Wait:             true,
		Timeout:          cluster.DefaultTimeout,
		UpdateKubeconfig: true,
		SwitchContext:    true,
		Pull:             cluster.PullMissing,
	}
}
