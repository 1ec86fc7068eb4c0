package runtime

import (
	"archive/tar"
	"bytes"
	"sort"
)

// TarFiles makes a tar stream for CopyTo of regular files (mode 0644) by
// path relative to the target directory, in sorted order.
func TarFiles(files map[string][]byte) (*bytes.Buffer, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(files[n]); err != nil {
			return nil, err
		}
	}
	return &buf, tw.Close()
}
