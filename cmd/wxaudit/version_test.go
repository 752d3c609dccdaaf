package main

import (
	"runtime/debug"
	"testing"
)

// TestVersionText: a stamped build names its commit and pseudo-version,
// a modified tree says so, -ldflags values win, and an unstamped build
// (go run, go test) says why it has no commit.
func TestVersionText(t *testing.T) {
	const rev = "4b9d7cf73d793076a82e089d1b9d56c59de095d3"
	stamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/wxaudit/wxaudit", Version: "v0.0.0-20261206153631-4b9d7cf73d79"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "false"}}}
	modified := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261206153631-4b9d7cf73d79+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: "true"}}}
	unstamped := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}
	for _, tc := range []struct {
		name            string
		bi              *debug.BuildInfo
		version, commit string
		want            string
	}{
		{"go install", stamped, "devel", "", "wxaudit v0.0.0-20261206153631-4b9d7cf73d79\ncommit " + rev + "\ngo1.26.8\n"},
		{"modified tree", modified, "devel", "", "wxaudit v0.0.0-20261206153631-4b9d7cf73d79+dirty\ncommit " + rev + " (modified)\ngo1.26.8\n"},
		{"ldflags", stamped, "v1.2.3", "abc", "wxaudit v1.2.3\ncommit abc\ngo1.26.8\n"},
		{"go run", unstamped, "devel", "", "wxaudit devel\ncommit " + noCommit + "\ngo1.26.8\n"},
		{"no build info", nil, "devel", "", "wxaudit devel\ncommit " + noCommit + "\n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionText(tc.bi, tc.version, tc.commit); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
