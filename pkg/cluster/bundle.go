package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// SaveBundle writes the images into one archive (docker-archive, what
// `docker save` writes) at file, or to stdout for "-": what an air-gapped
// host loads with LoadBundle. Missing images are pulled first as policy
// says. The file is written under a temporary name and renamed when
// complete, so a failed or interrupted save leaves no file behind, and
// never a truncated one under the name.
func (p *Provider) SaveBundle(ctx context.Context, refs []string, policy PullPolicy, file string, stdout io.Writer) error {
	if file == "" {
		return invalidOptions("bundle", file, errors.New("no file given: name the archive to write, or - for standard output"))
	}
	if _, err := ParsePullPolicy(string(policy)); err != nil {
		return invalidOptions("bundle", file, err)
	}
	if err := p.ensureImages(ctx, policy, neededFor(refs)); err != nil {
		return err
	}
	if file == "-" {
		return p.rt.SaveImages(ctx, refs, stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".*")
	if err != nil {
		return fmt.Errorf("writing bundle %s: %w", file, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	p.log.Infof("Saving %d images into %s", len(refs), file)
	if err := p.rt.SaveImages(ctx, refs, tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing bundle %s: %w", file, err)
	}
	// CreateTemp's 0600 is for secrets; a bundle is readable like
	// what `docker save -o` writes.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing bundle %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing bundle %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("writing bundle %s: %w", file, err)
	}
	return nil
}

// LoadBundle loads an archive written by SaveBundle (or `docker save`)
// from file, or stdin for "-", into the engine. It returns the images the
// archive names, when it can read them (not from a stream).
func (p *Provider) LoadBundle(ctx context.Context, file string, stdin io.Reader) ([]string, error) {
	r := stdin
	var names []string
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("bundle: %w", err)
		}
		defer f.Close()
		r = f
		for _, k := range scanArchive(file) {
			names = append(names, k.Name)
		}
	}
	if err := p.rt.LoadImages(ctx, r); err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s is not an image bundle (write one with `mini image bundle save FILE`): %w", file, err)
	}
	return names, nil
}

// neededFor names refs for ensureImages' errors.
func neededFor(refs []string) []neededImage {
	needed := make([]neededImage, len(refs))
	for i, r := range refs {
		needed[i] = neededImage{ref: r}
	}
	return needed
}
