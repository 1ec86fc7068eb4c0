package version

// Version is the CLI version. Release and `make build` stamp it with
// -ldflags "-X github.com/minictl/mini/pkg/version.Version=v0.1.0"; a plain
// `go build` says "dev". It is a variable only because the linker can set
// nothing else; nothing assigns it at run time.
var Version = "dev"

// ImageRepository is where the images mini runs by default are published:
// IMAGE_REPOSITORY of images/versions.env, which hack/build-cli.sh stamps
// in with -X (a fork publishing elsewhere changes that one line). Users
// redirect it with --image-repository (Images). Nothing assigns it at run
// time.
var ImageRepository = "ghcr.io/minictl"

// Node image parts; images/versions.env is the source of truth and
// TestDefaultsMatchImages keeps these in step with it.
const (
	KubernetesVersion = "v1.37.2"
	NodeImageRevision = "mini.1"
	NodeImageName     = "mini-node"
	NodeImageTag      = KubernetesVersion + "-" + NodeImageRevision
)

// Load balancer image; images/lb/VERSION is the source of truth for the tag
// (nginx's Debian version plus mini's revision).
const (
	LBImageName = "mini-lb"
	LBImageTag  = "1.22.1-mini.1"
)

// Registry image, which mini runs for local registries and pull-through
// caches (hack/build-registry-image.sh); images/versions.env's
// REGISTRY_IMAGE_TAG is the source of truth.
const (
	RegistryImageName = "mini-registry"
	RegistryImageTag  = "v3.1.2-mini.1"
)
