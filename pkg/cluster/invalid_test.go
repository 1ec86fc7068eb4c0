package cluster

import (
	"errors"
	"strings"
	"testing"
)

func TestInvalidOptionsError(t *testing.T) {
	err := CreateOptions{Name: "Bad_Name", Servers: 0, Image: "i", LBImage: "l"}.Validate()
	if !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("Validate = %v, want ErrInvalidOptions", err)
	}
	if !strings.HasPrefix(err.Error(), "invalid options for cluster \"Bad_Name\":\n") {
		t.Errorf("message %q", err)
	}
	// The problems stay one errors.Unwrap away, each on its own (package
	// config splits them to point each at its line).
	j, ok := errors.Unwrap(err).(interface{ Unwrap() []error })
	if !ok || len(j.Unwrap()) != 2 {
		t.Errorf("Unwrap(%v) = %T, want the 2 joined problems", err, errors.Unwrap(err))
	}
	if _, err := (NodeCreateOptions{Cluster: "dev", Name: "w", Role: "boss", Replicas: 1}).parse(); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("node options: %v", err)
	}
	if errors.Is(ErrNotFound, ErrInvalidOptions) {
		t.Error("other errors match")
	}
}
