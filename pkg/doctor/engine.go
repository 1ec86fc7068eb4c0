package doctor

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	units "github.com/docker/go-units"

	"github.com/minictl/mini/pkg/runtime"
)

// minAPIVersion is the oldest Engine API mini works with: private cgroup
// namespaces for nodes came with API 1.41 (Docker 20.10).
const minAPIVersion = "1.41"

// checkEngine asks the engine who it is.
func checkEngine(ctx context.Context, rt runtime.Runtime) (runtime.Info, Result) {
	info, err := rt.Info(ctx)
	if err != nil {
		return info, fail(CheckEngine, err.Error(),
			"start a Docker engine (as root, `bash hack/ensure-docker.sh` installs and starts Debian's docker.io), or point DOCKER_HOST at one")
	}
	where := "local"
	if !info.Local {
		where = "remote: host checks run in a container"
	}
	version := info.ServerVersion
	if version == "" {
		version = "(version unknown)"
	}
	detail := fmt.Sprintf("docker %s, API %s, %s", version, info.APIVersion, where)
	if info.APIVersion != "" && olderAPI(info.APIVersion, minAPIVersion) {
		return info, fail(CheckEngine, detail,
			"mini needs Engine API "+minAPIVersion+" (Docker 20.10) or newer: nodes run in a private cgroup namespace; upgrade the engine")
	}
	return info, pass(CheckEngine, detail)
}

// olderAPI compares "MAJOR.MINOR" API versions; an unreadable one is not
// called older (the engine answered, so let the other checks speak).
func olderAPI(have, want string) bool {
	hMaj, hMin, ok1 := splitVersion(have)
	wMaj, wMin, ok2 := splitVersion(want)
	if !ok1 || !ok2 {
		return false
	}
	return hMaj < wMaj || (hMaj == wMaj && hMin < wMin)
}

func splitVersion(v string) (major, minor int, ok bool) {
	a, b, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	return major, minor, err1 == nil && err2 == nil
}

// checkImage looks for one of mini's images; use says what needs it and
// hint how to get it. A missing image only warns: the commands that run
// it pull it.
func checkImage(ctx context.Context, rt runtime.Runtime, name, ref, use, hint string) Result {
	img, err := rt.InspectImage(ctx, ref)
	switch {
	case err == nil:
		detail := ref
		if img.Size > 0 {
			detail += " (" + units.HumanSize(float64(img.Size)) + ")"
		}
		return pass(name, detail)
	case !runtime.IsNotFound(err):
		return fail(name, err.Error(), "")
	}
	// Not a failure: the commands that run it pull it.
	return warn(name, ref+" is not in the engine; "+use, hint)
}

// pullHint says how a missing image arrives.
const pullHint = "the commands that run it pull it (--pull missing); without the registry, " +
	"`mini image bundle load FILE` loads a saved bundle, and in a checkout of mini `make images` builds them"
