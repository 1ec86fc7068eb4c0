package cluster

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/minictl/mini/pkg/runtime"
	"github.com/minictl/mini/pkg/version"
)

// firstCreate is the index of the first call that made something, or
// len(calls).
func firstCreate(calls []string) int {
	for i, c := range calls {
		if strings.HasPrefix(c, "Create") || strings.HasPrefix(c, "Start") {
			return i
		}
	}
	return len(calls)
}

func TestCreatePullsEachMissingImageOnceBeforeCreatingAnything(t *testing.T) {
	h := newHarness(t)
	for _, ref := range []string{nodeImage, lbImage, registryImage} {
		h.rt.RemoveImage(ref)
		h.rt.Publish(ref, 1000)
	}
	// Three servers and an agent run one node image: one pull.
	h.createCluster(t, "dev", 3, 1, func(o *CreateOptions) { o.RegistryCreate = []string{"reg:0"} })
	pulls := h.rt.Pulls()
	slices.Sort(pulls)
	if want := []string{lbImage, nodeImage, registryImage}; !slices.Equal(pulls, want) {
		t.Errorf("pulls = %v, want each image once: %v", pulls, want)
	}
	calls := h.rt.Calls()
	last := -1
	for i, c := range calls {
		if strings.HasPrefix(c, "PullImage") {
			last = max(last, i)
		}
	}
	if first := firstCreate(calls); last > first {
		t.Errorf("a pull came after %s was created: %v", calls[first], calls)
	}
}

func TestCreatePullPolicies(t *testing.T) {
	for _, tt := range []struct {
		policy    PullPolicy
		present   bool
		wantPulls int
		wantErr   string
	}{
		{PullMissing, true, 0, ""},
		{"", true, 0, ""},
		{PullMissing, false, 2, ""},
		{PullAlways, true, 2, ""},
		{PullNever, true, 0, ""},
		{PullNever, false, 0, "--pull never forbids pulling it"},
	} {
		t.Run(string(tt.policy)+map[bool]string{true: "/present", false: "/absent"}[tt.present], func(t *testing.T) {
			h := newHarness(t)
			for _, ref := range []string{nodeImage, lbImage} {
				h.rt.Publish(ref, 10)
				if !tt.present {
					h.rt.RemoveImage(ref)
				}
			}
			o := defaultOpts("dev")
			o.Pull = tt.policy
			err := h.p.Create(context.Background(), o)
			if got := len(h.rt.Pulls()); got != tt.wantPulls {
				t.Errorf("pulls = %v, want %d", h.rt.Pulls(), tt.wantPulls)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, want := range []string{tt.wantErr, nodeImage, lbImage, "make images", "mini image bundle load"} {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("Create() = %v, want it to say %q", err, want)
				}
			}
			if n := strings.Count(err.Error(), "Ways out"); n != 1 {
				t.Errorf("the ways out are said %d times, want once after every image: %v", n, err)
			}
			if c := creates(h.rt.Calls()); len(c) > 0 {
				t.Errorf("created %v", c)
			}
		})
	}
}

func TestCreateFailedPullLeavesNothing(t *testing.T) {
	h := newHarness(t)
	h.rt.RemoveImage(nodeImage)
	h.rt.Publish(lbImage, 10)
	h.rt.RemoveImage(lbImage)
	err := h.p.Create(context.Background(), defaultOpts("dev"))
	for _, want := range []string{"node image: pulling image " + nodeImage, "manifest unknown", "make images", "--image-repository"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Create() = %v, want it to say %q", err, want)
		}
	}
	if !runtime.IsNotFound(err) {
		t.Errorf("the engine's reason is lost: %v", err)
	}
	if c := creates(h.rt.Calls()); len(c) > 0 {
		t.Errorf("created %v after a failed pull", c)
	}
	h.assertEmpty(t)
}

func TestCreateTakesDefaultImagesFromTheRepository(t *testing.T) {
	h := newHarness(t)
	im, err := version.ImagesIn("localhost:5001/mirror")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range im.All() {
		h.rt.Publish(ref, 10)
	}
	h.createCluster(t, "dev", 1, 1, func(o *CreateOptions) {
		o.Image, o.LBImage, o.RegistryImage = "", "", ""
		o.ImageRepository = "localhost:5001/mirror"
		o.RegistryCreate = []string{"reg:0"}
	})
	for _, name := range []string{"mini-dev-server-0", "mini-dev-agent-0", "mini-dev-lb", "mini-registry-reg"} {
		c, err := h.rt.InspectContainer(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(c.Image, "localhost:5001/mirror/mini-") {
			t.Errorf("%s runs %s, want an image under the repository", name, c.Image)
		}
	}
	// An image given by reference wins over the repository.
	h2 := newHarness(t)
	h2.rt.Publish(im.LB, 10)
	h2.createCluster(t, "dev", 1, 0, func(o *CreateOptions) { o.LBImage, o.ImageRepository = "", "localhost:5001/mirror" })
	if got := h2.rt.Pulls(); !slices.Equal(got, []string{im.LB}) {
		t.Errorf("pulls = %v, want only the lb image (--image %s was given)", got, nodeImage)
	}
}

func TestCreateRefusesBadRepositoryAndPolicy(t *testing.T) {
	h := newHarness(t)
	o := defaultOpts("dev")
	o.Image = ""
	o.ImageRepository = "https://mirror.example.com/x"
	o.Pull = "sometimes"
	err := h.p.Create(context.Background(), o)
	if !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("Create() = %v, want invalid options", err)
	}
	for _, want := range []string{"--image-repository", "https://mirror.example.com/x", `--pull "sometimes"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "--image is empty") {
		t.Errorf("error %v blames --image for the repository", err)
	}
	if calls := h.rt.Calls(); len(calls) > 0 {
		t.Errorf("touched the engine: %v", calls)
	}
}

func TestNodeCreatePullsTheClusterImage(t *testing.T) {
	h := newHarness(t)
	h.createCluster(t, "dev", 1, 0)
	h.rt.RemoveImage(nodeImage)
	ctx := context.Background()
	o := nodeOpts("dev", "w", RoleAgent, 2)
	o.Pull = PullNever
	if err := h.p.CreateNodes(ctx, o); err == nil || !strings.Contains(err.Error(), "node image of cluster dev "+nodeImage) {
		t.Fatalf("CreateNodes(--pull never) = %v, want the missing image named", err)
	}
	h.rt.Publish(nodeImage, 10)
	if err := h.p.CreateNodes(ctx, nodeOpts("dev", "w", RoleAgent, 2)); err != nil {
		t.Fatal(err)
	}
	if got := h.rt.Pulls(); !slices.Equal(got, []string{nodeImage}) {
		t.Errorf("pulls = %v, want the cluster's node image once", got)
	}
}

func TestRegistryCreatePulls(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	im := version.DefaultImages()
	if _, err := h.p.CreateRegistry(ctx, RegistryCreateOptions{Name: "dev", Port: "0"}); err == nil ||
		!strings.Contains(err.Error(), "registry image: pulling image "+im.Registry) {
		t.Fatalf("CreateRegistry() = %v, want the unpublished default named", err)
	}
	h.assertEmpty(t)
	h.rt.Publish(im.Registry, 10)
	if _, err := h.p.CreateRegistry(ctx, RegistryCreateOptions{Name: "dev", Port: "0"}); err != nil {
		t.Fatal(err)
	}
	if got := h.rt.Pulls(); !slices.Equal(got, []string{im.Registry, im.Registry}) {
		t.Errorf("pulls = %v", got)
	}
}

func TestPullLinesEverySoOften(t *testing.T) {
	var out strings.Builder
	log := logrus.New()
	log.SetOutput(&out)
	log.SetFormatter(&logrus.TextFormatter{DisableTimestamp: true})
	now := time.Unix(0, 0)
	l := newPullLines(log, 3*time.Second, func() time.Time { return now })
	step := func(d time.Duration, pr runtime.PullProgress) {
		now = now.Add(d)
		l.report(pr)
	}
	step(0, runtime.PullProgress{Ref: "a", Layers: 2})
	step(time.Second, runtime.PullProgress{Ref: "a", Done: 1e6, Total: 4e6, Layers: 2})
	step(3*time.Second, runtime.PullProgress{Ref: "a", Done: 2e6, Total: 4e6, Layers: 2, LayersDone: 1})
	step(time.Second, runtime.PullProgress{Ref: "a", Done: 3e6, Total: 4e6, Layers: 2, LayersDone: 1})
	step(time.Second, runtime.PullProgress{Ref: "a", Done: 4e6, Total: 4e6, Layers: 2, LayersDone: 2, Finished: true})
	// A pull of layers the engine had reports only its end.
	step(time.Second, runtime.PullProgress{Ref: "b", Finished: true})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{"Pulling a", "Pulling a: 2MB of 4MB, 1 of 2 layers", "✓ Pulled a (4MB) in 6s", "✓ Pulled b in 0s"}
	if len(lines) != len(want) {
		t.Fatalf("lines:\n%s\nwant %d: %v", out.String(), len(want), want)
	}
	for i := range want {
		if !strings.Contains(lines[i], want[i]) {
			t.Errorf("line %d = %q, want %q", i, lines[i], want[i])
		}
	}
}

func TestParsePullPolicy(t *testing.T) {
	for in, want := range map[string]PullPolicy{"": PullMissing, "missing": PullMissing, "always": PullAlways, "never": PullNever} {
		if got, err := ParsePullPolicy(in); err != nil || got != want {
			t.Errorf("ParsePullPolicy(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParsePullPolicy("Always"); err == nil || !strings.Contains(err.Error(), "missing, always or never") {
		t.Errorf("ParsePullPolicy(Always) = %v", err)
	}
}
