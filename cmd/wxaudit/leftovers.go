package main

import "fmt"

// sayRemoved tells the user which temporaries of a killed run (kill -9,
// a crash) this run removed: they held decrypted data, and a file that
// vanishes unannounced is a surprise.
func sayRemoved(e *env, paths []string) {
	for _, p := range paths {
		fmt.Fprintf(e.stderr, "wxaudit: removed %s, left by an earlier run that was killed\n", p)
	}
}
