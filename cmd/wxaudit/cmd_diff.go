package main

import (
	"encoding/json"
	"strings"

	"github.com/wxaudit/wxaudit/analyze"
)

func runDiff(e *env) error {
	fs := newFlags(e, "diff", "[flags] A B   (two report directories, or two inputs analysed together)")
	runA := fs.String("run-a", "", "compare only this run of A (comma-separated labels)")
	runB := fs.String("run-b", "", "compare only this run of B (comma-separated labels)")
	asJSON := fs.Bool("json", false, "print the difference as JSON")
	var keylogs stringList
	fs.Var(&keylogs, "keylog", "key log `file` for two captures (repeatable); a capture without one is an error")
	reveal := fs.Bool("reveal", false, "show identifying values; by default they are pseudonyms, as in a shared report")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 2 {
		return &usageError{msg: "diff: want two arguments, A and B", hint: "wxaudit diff report-off/ report-on/"}
	}
	d, err := analyze.Compare(e.ctx, analyze.Side{Path: args[0], Runs: labels(*runA)}, analyze.Side{Path: args[1], Runs: labels(*runB)},
		analyze.CompareOptions{Keylogs: keylogs, Reveal: *reveal})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
	return d.WriteText(e.stdout)
}

// labels splits a comma-separated list of run labels; "" is none.
func labels(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
