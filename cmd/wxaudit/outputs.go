// Helpers that keep outputs safe: temporaries of killed runs, inputs that
// an output would replace, warnings about inputs partly read.

package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/wxaudit/wxaudit/keylog"
)

// warnKeylog says on stderr that a key log had malformed lines, which
// were skipped: a key on such a line is missing from the run.
func warnKeylog(e *env, keys *keylog.Log) {
	if keys == nil {
		return
	}
	if w := keys.Stats().Warning(); w != "" {
		fmt.Fprintln(e.stderr, "wxaudit: warning: "+w)
	}
}

// sayRemoved tells the user which temporaries of a killed run (kill -9,
// a crash) this run removed: they held decrypted data, and a file that
// vanishes unannounced is a surprise.
func sayRemoved(e *env, paths []string) {
	for _, p := range paths {
		fmt.Fprintf(e.stderr, "wxaudit: removed %s, left by an earlier run that was killed\n", p)
	}
}

// inside returns the first of paths that is dir or lies under it, or "".
// Paths are compared after filepath.Abs and EvalSymlinks where they exist.
func inside(dir string, paths []string) string {
	d := realPath(dir)
	for _, p := range paths {
		if p == "" || p == "-" {
			continue
		}
		rp := realPath(p)
		if rp == d || strings.HasPrefix(rp, d+string(filepath.Separator)) {
			return p
		}
	}
	return ""
}

func realPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	// A folder not made yet: resolve its parent.
	if r, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(r, filepath.Base(abs))
	}
	return abs
}
