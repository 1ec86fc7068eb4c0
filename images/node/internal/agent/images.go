package agent

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

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
	// Pause first, alone: kubelet's first sandbox must not race its import.
	if i := slices.IndexFunc(todo, func(e indexEntry) bool { return strings.Contains(e.file, "pause") }); i >= 0 {
		if err := importArchive(ctx, socket, todo[i].file); err != nil {
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
			errs[i] = importArchive(ctx, socket, e.file)
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

func importArchive(ctx context.Context, socket, file string) error {
	path := filepath.Join(config.ImagesDir, file)
	cmd := exec.CommandContext(ctx, filepath.Join(config.BinDir, "ctr"),
		"--address", socket, "--namespace", "k8s.io",
		"images", "import", "--snapshotter", "overlayfs", path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("import image %s: %w: %s", file, err, strings.TrimSpace(string(out)))
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
