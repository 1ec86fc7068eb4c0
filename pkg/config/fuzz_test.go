package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the config reader: it must never
// panic, and a file it accepts must view (and migrate) to a file that
// reads back to the same options.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add(Starter("dev"))
	f.Add([]byte("apiVersion: mini.dev/v1alpha1\nkind: Cluster\nports: [&a {port: '80'}, *a, {<<: *a}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := Decode("fuzz.yaml", data); err != nil {
			return
		}
		file, err := Load("fuzz.yaml", data)
		if err != nil {
			return
		}
		for name, write := range map[string]func(*File) ([]byte, error){"view": View, "migrate": Migrate} {
			out, err := write(file)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			again, err := Load("fuzz.yaml", out)
			if err != nil {
				t.Fatalf("the %s of an accepted file is refused: %v\n--- input\n%s\n--- %s\n%s", name, err, data, name, out)
			}
			if !reflect.DeepEqual(again.Options, file.Options) {
				t.Fatalf("the %s reads back to\n%+v\nnot\n%+v\n--- input\n%s\n--- %s\n%s", name, again.Options, file.Options, data, name, out)
			}
		}
	})
}
