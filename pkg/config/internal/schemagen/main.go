// Command schemagen writes the JSON Schema of mini's config file from the
// v1alpha1 Go types and their doc comments, so that the schema editors
// use never drifts from what mini reads. pkg/config runs it with go
// generate; its test fails when docs/schema is stale.
package main

import (
	"flag"
	"fmt"
	"os"
	"reflect"

	"github.com/minictl/mini/pkg/config"
	"github.com/minictl/mini/pkg/config/v1alpha1"
)

const title = "mini cluster config (" + v1alpha1.APIVersion + ")"

func main() {
	src := flag.String("src", "v1alpha1", "directory of the v1alpha1 package's source, for the field descriptions")
	out := flag.String("o", "", "file to write (default: stdout)")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(src, out string) error {
	data, err := Generate(reflect.TypeOf(v1alpha1.Cluster{}), src, config.SchemaURL, title)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(data)
		return err
	}
	return os.WriteFile(out, data, 0o644)
}
