package config

import (
	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/version"
)

// DefaultName is the cluster name when neither the file nor the command
// line names one, as for `mini cluster create` without a NAME.
const DefaultName = "dev"

// Defaults are the options of a file that sets nothing: those of `mini
// cluster create` without flags. A file's fields overlay them.
func Defaults() cluster.CreateOptions {
	return cluster.CreateOptions{
		Name:             DefaultName,
		Servers:          1,
		Image:            version.DefaultNodeImage,
		LBImage:          version.DefaultLBImage,
		Wait:             true,
		Timeout:          cluster.DefaultTimeout,
		UpdateKubeconfig: true,
		SwitchContext:    true,
		RegistryImage:    version.DefaultRegistryImage,
	}
}
