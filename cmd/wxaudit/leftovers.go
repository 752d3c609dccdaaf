package main

import (
	"fmt"

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
