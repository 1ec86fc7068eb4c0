//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// slowdownEnv stretches every wait of the e2e tests: the timeout of each
// mini command and of each waitFor. The waits are sized for the 2-core
// development machine; under software emulation (make test-vm without
// KVM) the same cluster starts about ten times slower, and a test that
// gives up there proves nothing about the host.
const slowdownEnv = "MINI_E2E_SLOWDOWN"

var slowdown = sync.OnceValues(func() (float64, error) {
	raw := os.Getenv(slowdownEnv)
	if raw == "" {
		return 1, nil
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < 1 {
		return 1, fmt.Errorf("%s=%q: want a factor of 1 or more", slowdownEnv, raw)
	}
	return f, nil
})

// scaled is d stretched by MINI_E2E_SLOWDOWN.
func scaled(d time.Duration) time.Duration {
	f, _ := slowdown()
	return time.Duration(float64(d) * f)
}

// hostArgsEnv adds flags to the cluster TestHostScenario creates. Under
// software emulation make test-vm leaves out the add-ons the scenario
// does not use (Traefik, metrics-server), so the emulated CPUs go to what
// it proves.
const hostArgsEnv = "MINI_E2E_HOST_ARGS"

func hostArgs() []string { return strings.Fields(os.Getenv(hostArgsEnv)) }
