package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/minictl/mini/internal/markdown"
)

func TestRender(t *testing.T) {
	in := `{"name":"ready","value":7.5,"unit":"s","target":6}
{"name":"size","value":250,"unit":"MB","target":300}
{"name":"floor","value":0.4,"unit":"s"}
`
	var out bytes.Buffer
	if err := render(strings.NewReader(in), &out, "- 2 cores"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"- 2 cores", "| ready | 7.50 s | ≤ 6 s | no (+25%) |", "| size | 250.00 MB | ≤ 300 MB | yes |", "| floor | 0.40 s | — | — |"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in\n%s", want, out.String())
		}
	}
	if err := render(strings.NewReader("{bad"), &out, ""); err == nil {
		t.Error("bad input accepted")
	}
}

func TestCellEscapesPipes(t *testing.T) {
	if got := markdown.Cell("docker save | ctr import"); got != `docker save \| ctr import` {
		t.Errorf("cell = %q", got)
	}
}
