package addons

// Images the add-on manifests run. They are preloaded into every node from
// docker-archive tars, so these names must match images/versions.env exactly;
// TestImagesMatchVersionsEnv enforces that.
const (
	// CoreDNSImage is versions.env COREDNS_IMAGE.
	CoreDNSImage = "mini.local/coredns:v1.15.0"
	// MetricsServerImage is versions.env METRICS_SERVER_IMAGE.
	MetricsServerImage = "mini.local/metrics-server:v0.9.0"
	// LocalPathImage is versions.env LOCAL_PATH_IMAGE.
	LocalPathImage = "mini.local/local-path-provisioner:v0.0.30"
	// TraefikImage is versions.env TRAEFIK_IMAGE.
	TraefikImage = "mini.local/traefik:v3.7.13"
	// HelperImage is versions.env HELPER_IMAGE: the busybox-style image the
	// local-path provisioner starts to create and remove volume directories.
	HelperImage = "mini.local/helper:1"
)
