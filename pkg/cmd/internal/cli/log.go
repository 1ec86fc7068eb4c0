package cli

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// Formatter prints log lines for people: the message alone at info level
// (progress lines), a level prefix otherwise, and a timestamp on request.
// With Color (set only when stderr is a terminal, see UseColor) the level
// prefix and the ✓/✗ of progress lines are coloured; without, lines are
// plain text, as CI logs and files want them.
type Formatter struct {
	Timestamps bool
	Color      bool
}

// ANSI colours of the level prefixes and progress marks.
const (
	colorRed    = "\x1b[31m"
	colorGreen  = "\x1b[32m"
	colorYellow = "\x1b[33m"
	colorGray   = "\x1b[90m"
	colorReset  = "\x1b[0m"
)

var levelNames = map[logrus.Level]string{
	logrus.PanicLevel: "PANIC", logrus.FatalLevel: "FATAL", logrus.ErrorLevel: "ERROR",
	logrus.WarnLevel: "WARN", logrus.DebugLevel: "DEBUG", logrus.TraceLevel: "TRACE",
}

var levelColors = map[logrus.Level]string{
	logrus.PanicLevel: colorRed, logrus.FatalLevel: colorRed, logrus.ErrorLevel: colorRed,
	logrus.WarnLevel: colorYellow, logrus.DebugLevel: colorGray, logrus.TraceLevel: colorGray,
}

// Format implements logrus.Formatter.
func (f *Formatter) Format(e *logrus.Entry) ([]byte, error) {
	var b bytes.Buffer
	if f.Timestamps {
		b.WriteString(f.paint(colorGray, e.Time.Format(time.RFC3339)))
		b.WriteByte(' ')
	}
	if e.Level != logrus.InfoLevel {
		b.WriteString(f.paint(levelColors[e.Level], levelNames[e.Level]+":"))
		b.WriteByte(' ')
	}
	b.WriteString(f.marks(e.Message))
	for k, v := range e.Data {
		fmt.Fprintf(&b, " %s=%v", k, v)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// marks colours a leading ✓ green and a leading ✗ red.
func (f *Formatter) marks(msg string) string {
	switch {
	case !f.Color:
		return msg
	case strings.HasPrefix(msg, "✓"):
		return f.paint(colorGreen, "✓") + strings.TrimPrefix(msg, "✓")
	case strings.HasPrefix(msg, "✗"):
		return f.paint(colorRed, "✗") + strings.TrimPrefix(msg, "✗")
	}
	return msg
}

func (f *Formatter) paint(color, s string) string {
	if !f.Color || color == "" {
		return s
	}
	return color + s + colorReset
}
