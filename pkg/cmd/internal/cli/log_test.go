package cli

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

func TestFormatter(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		f     Formatter
		level logrus.Level
		msg   string
		want  string
	}{
		{Formatter{}, logrus.InfoLevel, "✓ Starting (1s)", "✓ Starting (1s)\n"},
		{Formatter{}, logrus.ErrorLevel, "✗ Starting (1s)", "ERROR: ✗ Starting (1s)\n"},
		{Formatter{}, logrus.WarnLevel, "2 servers", "WARN: 2 servers\n"},
		{Formatter{Timestamps: true}, logrus.DebugLevel, "x", "2026-01-02T03:04:05Z DEBUG: x\n"},
		{Formatter{Color: true}, logrus.InfoLevel, "✓ Starting (1s)", "\x1b[32m✓\x1b[0m Starting (1s)\n"},
		{Formatter{Color: true}, logrus.InfoLevel, "Waiting", "Waiting\n"},
		{Formatter{Color: true}, logrus.ErrorLevel, "✗ Starting", "\x1b[31mERROR:\x1b[0m \x1b[31m✗\x1b[0m Starting\n"},
		{Formatter{Color: true}, logrus.WarnLevel, "w", "\x1b[33mWARN:\x1b[0m w\n"},
	}
	for _, tt := range tests {
		got, err := tt.f.Format(&logrus.Entry{Time: at, Level: tt.level, Message: tt.msg})
		if err != nil || string(got) != tt.want {
			t.Errorf("%+v %s %q = %q (%v), want %q", tt.f, tt.level, tt.msg, got, err, tt.want)
		}
	}
}

func TestUseColor(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	var buf bytes.Buffer
	if UseColor(&buf, env()) || IsTerminal(&buf) {
		t.Error("a buffer is no terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if UseColor(f, env()) {
		t.Error("a regular file is no terminal")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if UseColor(w, env()) {
		t.Error("a pipe is no terminal")
	}
	// A terminal when the test has one (go test usually gives none); the
	// variables switch colours off whatever it is.
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if !UseColor(tty, env()) {
			t.Error("/dev/tty is a terminal")
		}
		if UseColor(tty, env("NO_COLOR", "1")) || UseColor(tty, env("TERM", "dumb")) {
			t.Error("NO_COLOR and TERM=dumb must switch colours off")
		}
	}
}
