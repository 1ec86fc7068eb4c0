package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/minictl/mini/pkg/config"
)

// ReadConfig reads a config file ("-": stdin) and, with check, its values
// too (without, only what decoding finds: for commands that need the name
// alone). A k3d file gets a notice, and a warning for each setting mini
// leaves out, on stderr.
func (a *App) ReadConfig(path string, check bool) (*config.File, error) {
	var data []byte
	var err error
	name := path
	if path == "-" {
		name = config.Stdin
		data, err = io.ReadAll(a.Streams.In)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading config file: %w", err)
	}
	read := config.Decode
	if check {
		read = config.Load
	}
	f, err := read(name, data)
	if err != nil {
		return nil, err
	}
	if f.IsK3d() {
		a.Logger.Infof("%s is a k3d %s file: read as mini's own (`mini config migrate` converts it)", name, f.APIVersion)
	}
	for _, w := range f.Warnings {
		a.Logger.Warnf("%s: %s", name, w)
	}
	return f, nil
}
