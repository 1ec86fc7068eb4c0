package addons

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"text/template"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// manifests holds one file per add-on, named <add-on>.yaml.
//
//go:embed manifests/*.yaml
var manifests embed.FS

// templateData is what a manifest template sees: the cluster values plus
// the image constants, so images are written in one place (images.go).
type templateData struct {
	Values
	Addon              string
	LabelAddon         string
	CoreDNSImage       string
	MetricsServerImage string
	LocalPathImage     string
	TraefikImage       string
	HelperImage        string
}

// render returns the objects of one add-on, each labelled with LabelAddon.
// v must already have its defaults applied.
func render(name string, v Values) ([]*unstructured.Unstructured, error) {
	raw, err := manifests.ReadFile("manifests/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("add-on %q has no manifest: %w", name, err)
	}
	// missingkey=error turns a typo in a template into a failed render
	// instead of "<no value>" in a live object.
	tmpl, err := template.New(name).Option("missingkey=error").Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("parse manifest of add-on %q: %w", name, err)
	}
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, templateData{
		Values:             v,
		Addon:              name,
		LabelAddon:         LabelAddon,
		CoreDNSImage:       CoreDNSImage,
		MetricsServerImage: MetricsServerImage,
		LocalPathImage:     LocalPathImage,
		TraefikImage:       TraefikImage,
		HelperImage:        HelperImage,
	})
	if err != nil {
		return nil, fmt.Errorf("render manifest of add-on %q: %w", name, err)
	}
	objs, err := decodeObjects(&buf)
	if err != nil {
		return nil, fmt.Errorf("decode manifest of add-on %q: %w", name, err)
	}
	for _, obj := range objs {
		// Set here rather than in every template so no object can miss it:
		// it is what lets a later start delete a disabled add-on.
		labels := obj.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[LabelAddon] = name
		obj.SetLabels(labels)
	}
	return objs, nil
}

// decodeObjects splits a multi-document YAML stream into objects, skipping
// empty documents, and rejects documents that are not Kubernetes objects.
func decodeObjects(r io.Reader) ([]*unstructured.Unstructured, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var objs []*unstructured.Unstructured
	for i := 0; ; i++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read document %d: %w", i, err)
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d is not valid YAML: %w", i, err)
		}
		// utiljson keeps integers as int64, which unstructured objects need
		// (encoding/json would make every number a float64).
		var content map[string]any
		if err := utiljson.Unmarshal(js, &content); err != nil {
			return nil, fmt.Errorf("document %d is not an object: %w", i, err)
		}
		if len(content) == 0 {
			continue // a document of comments only
		}
		obj := &unstructured.Unstructured{Object: content}
		if obj.GetAPIVersion() == "" || obj.GetKind() == "" || obj.GetName() == "" {
			return nil, fmt.Errorf("document %d lacks apiVersion, kind or metadata.name", i)
		}
		objs = append(objs, obj)
	}
}
