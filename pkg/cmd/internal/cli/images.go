package cli

import (
	"fmt"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/minictl/mini/pkg/cluster"
	"github.com/minictl/mini/pkg/version"
)

// The flags of commands that run mini's images.
const (
	// ImageRepositoryFlag (MINI_IMAGE_REPOSITORY, a config file's
	// imageRepository) moves every default image to a mirror at once.
	ImageRepositoryFlag = "image-repository"
	// PullFlag says when images are pulled.
	PullFlag = "pull"
)

// AddImageRepositoryFlag adds --image-repository.
func AddImageRepositoryFlag(f *pflag.FlagSet) {
	f.String(ImageRepositoryFlag, "", fmt.Sprintf("registry path of mini's default images (%s, %s, %s), e.g. a mirror (default %s)",
		version.NodeImageName, version.LBImageName, version.RegistryImageName, version.ImageRepository))
}

// AddPullFlag adds --pull; the library checks its value with the other
// options (cluster.ParsePullPolicy).
func AddPullFlag(f *pflag.FlagSet) {
	f.String(PullFlag, string(cluster.PullMissing), "when to pull images: missing (those the engine lacks), always, or never")
}

// DefaultImages are the default images under --image-repository.
func DefaultImages(v *viper.Viper) (version.Images, error) {
	im, err := version.ImagesIn(v.GetString(ImageRepositoryFlag))
	if err != nil {
		return version.Images{}, &UsageError{Err: fmt.Errorf("--%s: %w", ImageRepositoryFlag, err)}
	}
	return im, nil
}
