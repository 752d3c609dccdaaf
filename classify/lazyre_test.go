package classify

import (
	"testing"

	"github.com/wxaudit/wxaudit/internal/lazyre"
)

// TestRegexpsCompile compiles every detector expression, which the
// package only compiles when a detector first runs.
func TestRegexpsCompile(t *testing.T) {
	if expr, err := lazyre.CompileAll(); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
}
