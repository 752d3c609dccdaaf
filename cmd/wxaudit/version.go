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

// noCommit is what --version prints for the commit of a binary built
// without VCS stamping: go run and go test never stamp, and neither does a
// build with -buildvcs=false (which a GOFLAGS setting may impose).
const noCommit = "unknown (not stamped: go run and go test do not record it; build with go build or go install in a git clone)"

// printVersion names the version and the VCS commit the binary was built
// from (runtime/debug.ReadBuildInfo).
func printVersion(w io.Writer) {
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprint(w, versionText(bi, version, commit))
}

// versionText is the text of --version for build information bi (nil
// when the binary has none), with version and commit set by -ldflags
// taking precedence. Under go build and go install in a git clone the
// toolchain records vcs.revision, vcs.modified and a pseudo-version
// naming the commit as the main module's version; under go run neither.
func versionText(bi *debug.BuildInfo, version, commit string) string {
	rev, modified, goVersion := commit, "", ""
	if bi != nil {
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
		rev = noCommit
	}
	return fmt.Sprintf("wxaudit %s\ncommit %s%s\n%s\n", version, rev, modified, goVersion)
}
