package cluster

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/distribution/reference"

	"github.com/minictl/mini/pkg/runtime"
)

// imageSource is one argument of `mini image import`: an image of the
// engine, an archive file or the standard input.
type imageSource struct {
	// Arg is the argument as given, which progress messages name.
	Arg  string
	kind sourceKind
	// images are the images the source holds, when known: an engine
	// image always, an archive when its manifest.json could be read. A
	// node that already holds all of them (same name, same ID) is skipped.
	images []knownImage
}

type sourceKind int

const (
	sourceEngine sourceKind = iota
	sourceArchive
	sourceStdin
)

// knownImage is an image by its normalised name (docker.io/library/app:1,
// as the CRI lists it) and config digest (the CRI's image ID).
type knownImage struct {
	Name string
	ID   string
}

var platformRE = regexp.MustCompile(`^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$`)

// resolveSources classifies every argument, reporting all that are
// neither a file nor an image of the engine at once.
func resolveSources(ctx context.Context, rt runtime.Runtime, args []string) ([]imageSource, error) {
	var out []imageSource
	var errs []error
	stdin := false
	for _, arg := range args {
		switch {
		case arg == "-":
			if stdin {
				errs = append(errs, errors.New("\"-\" (standard input) is given more than once"))
				continue
			}
			stdin = true
			out = append(out, imageSource{Arg: arg, kind: sourceStdin})
		case isFile(arg):
			out = append(out, imageSource{Arg: arg, kind: sourceArchive, images: scanArchive(arg)})
		default:
			src, err := engineSource(ctx, rt, arg)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out = append(out, src)
		}
	}
	return out, errors.Join(errs...)
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// engineSource looks an image up in the engine. It must have a name: an
// image saved by ID alone would land in containerd without one, and no
// pod could use it.
func engineSource(ctx context.Context, rt runtime.Runtime, ref string) (imageSource, error) {
	img, err := rt.InspectImage(ctx, ref)
	if runtime.IsNotFound(err) {
		return imageSource{}, fmt.Errorf("image %q: no such image in the engine and no such file (build or pull it first)", ref)
	}
	if err != nil {
		return imageSource{}, err
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil || strings.HasPrefix(img.ID, ref) || strings.HasPrefix(img.ID, "sha256:"+ref) {
		return imageSource{}, fmt.Errorf("image %q: give it by NAME[:TAG], not by ID, so the nodes can name it", ref)
	}
	if _, digested := named.(reference.Digested); digested {
		return imageSource{}, fmt.Errorf("image %q: give it by NAME[:TAG]; an image saved by digest gets no name in the nodes", ref)
	}
	return imageSource{Arg: ref, kind: sourceEngine, images: []knownImage{{Name: reference.TagNameOnly(named).String(), ID: img.ID}}}, nil
}

// scanArchive reads the manifest.json of a docker-archive (docker save,
// also written by newer engines next to their OCI layout) for its images'
// names and config digests. It seeks over the layers, so a large archive
// costs milliseconds. Anything it cannot read makes it return nil: the
// archive is then imported into every node.
func scanArchive(file string) []knownImage {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil
		}
		if path.Clean(h.Name) == "manifest.json" {
			return parseArchiveManifest(tr)
		}
	}
}

func parseArchiveManifest(r io.Reader) []knownImage {
	var entries []struct {
		Config   string
		RepoTags []string
	}
	if err := json.NewDecoder(io.LimitReader(r, 16<<20)).Decode(&entries); err != nil {
		return nil
	}
	var out []knownImage
	for _, e := range entries {
		// "<hex>.json" (classic) or "blobs/sha256/<hex>" (OCI layout).
		hex := strings.TrimSuffix(path.Base(e.Config), ".json")
		if len(hex) != 64 {
			return nil
		}
		for _, tag := range e.RepoTags {
			named, err := reference.ParseNormalizedNamed(tag)
			if err != nil {
				return nil
			}
			out = append(out, knownImage{Name: reference.TagNameOnly(named).String(), ID: "sha256:" + hex})
		}
	}
	return out
}

// nodeImages is what the CRI of a node lists: image IDs by name.
type nodeImages map[string]string

// has reports whether the node holds every image, under its name.
func (n nodeImages) has(images []knownImage) bool {
	if len(images) == 0 {
		return false
	}
	for _, img := range images {
		if n[img.Name] != img.ID {
			return false
		}
	}
	return true
}

// criImagesCmd lists a node's images through the CRI, the view kubelet
// has: IDs are config digests, names normalised.
var criImagesCmd = []string{"crictl", "images", "--output", "json"}

func listNodeImages(ctx context.Context, rt runtime.Runtime, node string) (nodeImages, error) {
	out, err := runtime.Run(ctx, rt, node, nil, criImagesCmd...)
	if err != nil {
		return nil, fmt.Errorf("listing the images of node %s: %w", node, err)
	}
	var list struct {
		Images []struct {
			ID       string   `json:"id"`
			RepoTags []string `json:"repoTags"`
		} `json:"images"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		return nil, fmt.Errorf("reading the image list of node %s: %w", node, err)
	}
	have := nodeImages{}
	for _, img := range list.Images {
		for _, t := range img.RepoTags {
			have[t] = img.ID
		}
	}
	return have, nil
}
