package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/wxaudit/wxaudit/internal/fixtures"
)

// sharedDir returns the Citizen Lab fixture folder beside the clone, or ""
// when it is absent.
func sharedDir() string {
	dir, err := filepath.Abs("../../../shared/fixtures/citizenlab")
	if err != nil {
		return ""
	}
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// errSharedRequired is the failure of a script run without the fixtures
// while WXAUDIT_REQUIRE_SHARED=1 (CI).
func errSharedRequired() error {
	return fmt.Errorf("shared fixtures required (%s=1) but ../shared/fixtures/citizenlab is absent", fixtures.RequireEnv)
}

// setupScript exposes the shared fixtures to scripts as $SHARED (empty when
// absent). Under WXAUDIT_REQUIRE_SHARED=1 a missing folder fails every
// script, so that no script can skip past it.
func setupScript(e *testscript.Env) error {
	dir := sharedDir()
	if dir == "" && os.Getenv(fixtures.RequireEnv) == "1" {
		return errSharedRequired()
	}
	e.Setenv("SHARED", dir)
	return nil
}

// scriptCondition adds [shared] to the scripts' conditions: true when the
// fixtures are present. Scripts guard real-data steps with
// "[!shared] skip"; under WXAUDIT_REQUIRE_SHARED=1 an absent folder is an
// error rather than a skip.
func scriptCondition(cond string) (bool, error) {
	if cond != "shared" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if sharedDir() != "" {
		return true, nil
	}
	if os.Getenv(fixtures.RequireEnv) == "1" {
		return false, errSharedRequired()
	}
	return false, nil
}
