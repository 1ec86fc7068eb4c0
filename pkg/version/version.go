package version

// Version is the CLI version. Release and `make build` stamp it with
// -ldflags "-X github.com/minictl/mini/pkg/version.Version=v0.1.0"; a plain
// `go build` says "dev". It is a variable only because the linker can set
// nothing else; nothing assigns it at run time.
var Version = "dev"

// Node image parts; images/versions.env is the source of truth and
// TestDefaultsMatchImages keeps these in step with it.
const (
	KubernetesVersion = "v1.37.2"
	NodeImageRevision = "mini.1"
	NodeImageRepo     = "mini/node"
)

// DefaultNodeImage is the node image clusters run unless --image is given.
const DefaultNodeImage = NodeImageRepo + ":" + KubernetesVersion + "-" + NodeImageRevision

// Load balancer image; images/lb/VERSION is the source of truth for the tag
// (nginx's Debian version plus mini's revision).
const (
	LBImageRepo    = "mini/lb"
	LBImageVersion = "1.22.1-mini.1"
	DefaultLBImage = LBImageRepo + ":" + LBImageVersion
)

// DefaultRegistryImage is the registry image mini runs for local registries
// and pull-through caches; images/versions.env's REGISTRY_IMAGE is the source
// of truth (TestDefaultsMatchImages) and hack/build-registry-image.sh builds it.
const DefaultRegistryImage = "mini/registry:v3.1.2-mini.1"
