package addons

import (
	"slices"
	"strings"
	"testing"
)

func TestNamesAreK3sDisableNames(t *testing.T) {
	want := []string{"coredns", "local-storage", "metrics-server", "servicelb", "traefik"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %v, want %v", got, want)
	}
}

func TestValidate(t *testing.T) {
	if err := Validate(nil); err != nil {
		t.Errorf("nil: %v", err)
	}
	if err := Validate(Names()); err != nil {
		t.Errorf("all valid names: %v", err)
	}
	err := Validate([]string{"coredns", "dns", "traefik", "metrics", "dns"})
	if err == nil {
		t.Fatal("accepted unknown names")
	}
	msg := err.Error()
	for _, want := range []string{`"dns"`, `"metrics"`, "coredns, local-storage, metrics-server, servicelb, traefik"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Count(msg, `"dns"`) != 1 {
		t.Errorf("error repeats a name: %q", msg)
	}
}

func TestDisabledNames(t *testing.T) {
	got, err := disabledNames(map[string]bool{"traefik": true, "coredns": false, "metrics-server": true})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"metrics-server", "traefik"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := disabledNames(map[string]bool{"nope": false}); err == nil {
		t.Error("an unknown key set to false was accepted")
	}
}
