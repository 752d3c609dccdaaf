package main

import (
	"testing"

	"github.com/wxaudit/wxaudit/internal/lazyre"
)

// TestRegexpsCompile compiles the regular expressions of every package
// the command links, which each compiles only on first use.
func TestRegexpsCompile(t *testing.T) {
	if expr, err := lazyre.CompileAll(); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
}
