package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version and commit may be set at build time when the toolchain cannot
// stamp VCS information itself:
// go build -ldflags "-X main.version=v1.2.3 -X main.commit=$(git rev-parse HEAD)" ./cmd/wxaudit
var (
	version = "devel"
	commit  = ""
)

// printVersion names the version and the VCS commit the binary was built
// from. Builds without VCS stamping (go run, go test, -buildvcs=false)
// say so instead of printing an empty commit.
func printVersion(w io.Writer) {
	rev, modified, goVersion := commit, "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if version == "devel" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.modified":
				if s.Value == "true" {
					modified = " (modified)"
				}
			}
		}
	}
	if rev == "" {
		rev = "unknown (built without VCS information)"
	}
	fmt.Fprintf(w, "wxaudit %s\ncommit %s%s\n%s\n", version, rev, modified, goVersion)
}
