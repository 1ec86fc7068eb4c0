package cli

import (
	"bytes"
	"fmt"
	"time"

	"github.com/sirupsen/logrus"
)

// Formatter prints log lines for people: the message alone at info level
// (progress lines), a level prefix otherwise, and a timestamp on request.
type Formatter struct {
	Timestamps bool
}

// Format implements logrus.Formatter.
func (f *Formatter) Format(e *logrus.Entry) ([]byte, error) {
	var b bytes.Buffer
	if f.Timestamps {
		b.WriteString(e.Time.Format(time.RFC3339))
		b.WriteByte(' ')
	}
	if e.Level != logrus.InfoLevel {
		fmt.Fprintf(&b, "%s: ", map[logrus.Level]string{
			logrus.PanicLevel: "PANIC", logrus.FatalLevel: "FATAL", logrus.ErrorLevel: "ERROR",
			logrus.WarnLevel: "WARN", logrus.DebugLevel: "DEBUG", logrus.TraceLevel: "TRACE",
		}[e.Level])
	}
	b.WriteString(e.Message)
	for k, v := range e.Data {
		fmt.Fprintf(&b, " %s=%v", k, v)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
