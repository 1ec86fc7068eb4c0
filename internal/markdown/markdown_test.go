package markdown

import "testing"

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"MINI_* <v> [HOST:]": `MINI_\* \<v\> \[HOST:\]`,
		"`a*b` and *c*":      "`a*b` and \\*c\\*",
		"docker save | ctr":  "docker save | ctr",
	} {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Cell("a | `b|c`"); got != "a \\| `b\\|c`" {
		t.Errorf("Cell = %q", got)
	}
}
