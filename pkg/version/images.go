package version

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"
)

// Images are the references of the images mini runs by default, all under
// one repository.
type Images struct {
	Repository string
	Node       string
	LB         string
	Registry   string
}

// All lists the references, node first: what a mirror must hold and what
// a bundle saves.
func (i Images) All() []string { return []string{i.Node, i.LB, i.Registry} }

// DefaultImages are the images under ImageRepository.
func DefaultImages() Images {
	im, _ := ImagesIn("")
	return im
}

// ImagesIn returns the default images under repository (empty: the
// stamped ImageRepository): HOST[:PORT]/PATH or a Docker Hub PATH, without
// a scheme, tag or digest. A malformed repository is an error that names
// it and says what is expected.
func ImagesIn(repository string) (Images, error) {
	repo := strings.TrimSuffix(repository, "/")
	if repo == "" {
		repo = ImageRepository
	}
	im := Images{
		Repository: repo,
		Node:       repo + "/" + NodeImageName + ":" + NodeImageTag,
		LB:         repo + "/" + LBImageName + ":" + LBImageTag,
		Registry:   repo + "/" + RegistryImageName + ":" + RegistryImageTag,
	}
	if err := checkRepository(repo, im.Node); err != nil {
		return Images{}, fmt.Errorf("image repository %q: %w", repository, err)
	}
	return im, nil
}

// checkRepository rejects what the engine would reject later, after a
// cluster's network exists, or would read as something else: a URL, a
// tag or digest on the repository itself, upper case, spaces.
func checkRepository(repo, node string) error {
	if strings.Contains(repo, "://") {
		return fmt.Errorf("want HOST[:PORT]/PATH without a scheme, e.g. registry.example.com/mirror/minictl")
	}
	// The parser sees a tag or digest on repo as a malformed path
	// ("reg/x:1/mini-node:tag"), and upper case or spaces likewise.
	if _, err := reference.ParseNormalizedNamed(node); err != nil {
		return fmt.Errorf("want HOST[:PORT]/PATH in lower case without a tag or digest, e.g. registry.example.com/mirror/minictl: %w", err)
	}
	return nil
}
