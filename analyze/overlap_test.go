package analyze

import (
	"strings"
	"testing"
)

// The shared logs grow one from another: they are split, never warned about.
func TestSharedLogsDoNotOverlap(t *testing.T) {
	for _, e := range sharedReport(t).Errors {
		if strings.HasPrefix(e, WarningPrefix) {
			t.Errorf("unexpected warning: %s", e)
		}
	}
}
