package testkit

import (
	"os"
	"os/exec"
	"testing"
)

// Environment variables that turn a missing program into a failure. CI
// (.ci/run) sets them all; a developer without the program gets a skip.
const (
	RequireTsharkEnv  = "WXAUDIT_REQUIRE_TSHARK"
	RequireBrowserEnv = "WXAUDIT_REQUIRE_BROWSER"
)

// Tool returns the path of the program name found in PATH. When it is
// missing, the test fails if any variable in require is "1", and is
// skipped otherwise.
func Tool(tb testing.TB, name string, require ...string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	for _, env := range require {
		if os.Getenv(env) == "1" {
			tb.Fatalf("%s required (%s=1) but not found: %v", name, env, err)
		}
	}
	tb.Skipf("%s not installed; skipping (set %v to 1 to require it)", name, require)
	return ""
}
