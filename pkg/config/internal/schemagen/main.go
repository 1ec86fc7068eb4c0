// Command schemagen writes the JSON Schema of mini's config file from the
// v1alpha1 Go types and their doc comments, so that the schema editors
// use never drifts from what mini reads, and from the same walk of the
// types the Markdown reference of its fields (-format markdown). pkg/config
// runs it with go generate; its tests fail when docs/schema or
// docs/reference/config.md is stale.
package main

import (
	"flag"
	"fmt"
	"os"
	"reflect"

	"github.com/minictl/mini/pkg/config"
	"github.com/minictl/mini/pkg/config/v1alpha1"
)

const (
	title          = "mini cluster config (" + v1alpha1.APIVersion + ")"
	referenceTitle = "mini config file reference (" + v1alpha1.APIVersion + ")"
)

func main() {
	src := flag.String("src", "v1alpha1", "directory of the v1alpha1 package's source, for the field descriptions")
	format := flag.String("format", "json", "what to write: json (the JSON Schema) or markdown (the field reference)")
	out := flag.String("o", "", "file to write (default: stdout)")
	flag.Parse()
	if err := run(*src, *format, *out); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(src, format, out string) error {
	var data []byte
	var err error
	root := reflect.TypeOf(v1alpha1.Cluster{})
	switch format {
	case "json":
		data, err = Generate(root, src, config.SchemaURL, title)
	case "markdown":
		data, err = Reference(root, src, referenceTitle)
	default:
		err = fmt.Errorf("unknown -format %q (want json or markdown)", format)
	}
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(data)
		return err
	}
	return os.WriteFile(out, data, 0o644)
}
