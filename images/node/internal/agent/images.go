package agent

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	containerd "github.com/containerd/containerd/v2/client"
	tarchive "github.com/containerd/containerd/v2/core/transfer/archive"
	"github.com/containerd/containerd/v2/core/transfer/image"
	"github.com/containerd/platforms"
	"k8s.io/klog/v2"

	"github.com/minictl/mini/images/node/internal/config"
	"github.com/minictl/mini/images/node/internal/pki"
)

// ImageIndex is written at image build time next to the archives: one line
// "<sha256>  <file>" per archive, so boot never hashes hundreds of megabytes.
const ImageIndex = "images.sha256"

// importedStamp records which archive digests containerd already holds.
const importedStamp = "images.imported"

// ImportImages imports every preloaded image archive that containerd does not
// hold yet: the pause image first (sandboxes need it), then the rest
// concurrently. A restarted node skips all of them.
func ImportImages(ctx context.Context, dataDir, socket string) error {
	entries, err := readIndex(filepath.Join(config.ImagesDir, ImageIndex))
	if err != nil {
		return err
	}
	stampPath := filepath.Join(config.PathsFor(dataDir).AgentDir(), importedStamp)
	done, _ := readIndex(stampPath)
	have := map[string]bool{}
	for _, e := range done {
		have[e.sum] = true
	}
	var todo []indexEntry
	for _, e := range entries {
		if !have[e.sum] {
			todo = append(todo, e)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	client, err := containerd.New(socket, containerd.WithDefaultNamespace("k8s.io"))
	if err != nil {
		return fmt.Errorf("connect to containerd at %s: %w", socket, err)
	}
	defer client.Close()
	// Pause first, alone: kubelet's first sandbox must not race its import.
	if i := slices.IndexFunc(todo, func(e indexEntry) bool { return strings.Contains(e.file, "pause") }); i >= 0 {
		if err := importArchive(ctx, client, todo[i].file); err != nil {
			return err
		}
		todo = slices.Delete(todo, i, i+1)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(todo))
	for i, e := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = importArchive(ctx, client, e.file)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	var b strings.Builder
	for _, e := range entries {
		fmt.Fprintf(&b, "%s  %s\n", e.sum, e.file)
	}
	return pki.WriteFile(stampPath, []byte(b.String()), 0o644)
}

// importArchive streams one docker-archive into containerd through its
// transfer API and unpacks it for this platform, as `ctr images import
// --snapshotter overlayfs` does, but in this process: a ctr would be a second
// start of the whole mini-node binary, whose package initialisation alone
// costs ~170 ms of CPU, and a first boot imports seven archives at once.
func importArchive(ctx context.Context, client *containerd.Client, file string) error {
	f, err := os.Open(filepath.Join(config.ImagesDir, file))
	if err != nil {
		return fmt.Errorf("import image %s: %w", file, err)
	}
	defer f.Close()
	plat := platforms.DefaultSpec()
	// Every archive names its images; the prefix only names an unnamed one.
	store := image.NewStore("", image.WithNamedPrefix("import", true),
		image.WithPlatforms(plat), image.WithUnpack(plat, "overlayfs"))
	if err := client.Transfer(ctx, tarchive.NewImageImportStream(f, ""), store); err != nil {
		return fmt.Errorf("import image %s: %w", file, err)
	}
	klog.V(2).InfoS("Imported image archive", "file", file)
	return nil
}

type indexEntry struct{ sum, file string }

func readIndex(path string) ([]indexEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read image index: %w", err)
	}
	defer f.Close()
	var out []indexEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 2 {
			out = append(out, indexEntry{sum: fields[0], file: filepath.Base(fields[1])})
		}
	}
	return out, sc.Err()
}
