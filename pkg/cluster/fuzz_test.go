package cluster

import (
	"reflect"
	"testing"
)

// The parsers of --port values and node filters read user input from flags
// and config files: fuzzing checks that no input makes them panic and that
// what they accept prints back (String) to something they parse the same.

func FuzzParsePort(f *testing.F) {
	for _, s := range []string{"80", "8080:80", "0.0.0.0:8080:80/udp", "[::1]:8080:80@agent:0:direct",
		"30000-30100", "30000-30100:30000-30100@agents:*", "9090:90@server:0;agent:1,3:proxy",
		"80@loadbalancer", "::53/UDP@servers:*", "1-2:3", "[::1", "8080:80@agents:0-2:direct"} {
		f.Add(s, uint8(1), uint8(2), false)
		f.Add(s, uint8(3), uint8(0), true)
	}
	f.Fuzz(func(t *testing.T, raw string, servers, agents uint8, noLB bool) {
		s, a := int(servers%8)+1, int(agents%8)
		spec, err := ParsePort(raw, s, a, noLB)
		if err != nil {
			return
		}
		again, err := ParsePort(spec.String(), s, a, noLB)
		if err != nil {
			t.Fatalf("ParsePort(%q) = %q, which does not parse back: %v", raw, spec.String(), err)
		}
		spec.raw, again.raw = "", ""
		if !reflect.DeepEqual(spec, again) {
			t.Fatalf("ParsePort(%q) = %+v; its String %q parses to %+v", raw, spec, spec.String(), again)
		}
	})
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"A=1@agent:0", "x@servers:*", "v@agent:1,3", "v@agents:2-4", "v@loadbalancer", "v@all",
		"v@server:0;agent:1", "a@b.c", "v@lb", "v@agent:", "v@agent:1-0", "v@all:*", "@", "v@server:x"} {
		f.Add(s, uint8(1), uint8(5))
	}
	f.Fuzz(func(t *testing.T, raw string, servers, agents uint8) {
		s, a := int(servers%8)+1, int(agents%8)
		fl, err := ParseFiltered(raw, s, a, allNodes)
		if err != nil || !fl.Explicit {
			return
		}
		again, err := ParseFiltered(fl.Value+"@"+fl.Filters.String(), s, a, allNodes)
		if err != nil {
			t.Fatalf("ParseFiltered(%q): filters %q do not parse back: %v", raw, fl.Filters.String(), err)
		}
		if !reflect.DeepEqual(fl, again) {
			t.Fatalf("ParseFiltered(%q) = %+v; printed back it parses to %+v", raw, fl, again)
		}
		if _, err := ParseNodeFilters(fl.Filters.String(), s, a); err != nil {
			t.Fatalf("ParseNodeFilters(%q): %v", fl.Filters.String(), err)
		}
	})
}
