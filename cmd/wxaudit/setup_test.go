package main

import (
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"
)

// setupScript exposes the shared fixtures to scripts as $SHARED, so a script
// can `[!exec:...]`-style skip with `[env:SHARED]` guards.
func setupScript(e *testscript.Env) error {
	dir, err := filepath.Abs("../../../shared/fixtures/citizenlab")
	if err == nil {
		if _, err := os.Stat(dir); err == nil {
			e.Setenv("SHARED", dir)
		}
	}
	return nil
}
