package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/report"
)

func runDiff(e *env) error {
	fs := newFlags(e, "diff", "[flags] A B   (report directories or input logs)")
	runA := fs.String("run-a", "", "compare only this run of A (comma-separated labels)")
	runB := fs.String("run-b", "", "compare only this run of B (comma-separated labels)")
	asJSON := fs.Bool("json", false, "print the difference as JSON")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 2 {
		return &usageError{msg: "diff: want two arguments, A and B", hint: "wxaudit diff report-off/ report-on/"}
	}
	a, b, la, lb, err := diffSides(e, args[0], args[1])
	if err != nil {
		return err
	}
	if *runA != "" {
		if err := analyze.CheckRuns(a, strings.Split(*runA, ",")...); err != nil {
			return err
		}
		a, la = analyze.Select(a, strings.Split(*runA, ",")...), *runA
	}
	if *runB != "" {
		if err := analyze.CheckRuns(b, strings.Split(*runB, ",")...); err != nil {
			return err
		}
		b, lb = analyze.Select(b, strings.Split(*runB, ",")...), *runB
	}
	d := analyze.Diff(a, b, la, lb)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
	for _, s := range []analyze.Side{d.OnlyA, d.OnlyB} {
		fmt.Fprintf(e.stdout, "only in %s:\n", s.Label)
		printItems(e, "data types", s.DataTypes)
		printItems(e, "request types", s.ReqTypes)
		printItems(e, "values", s.Values)
	}
	return nil
}

func printItems(e *env, title string, items []analyze.DiffItem) {
	if len(items) == 0 {
		fmt.Fprintf(e.stdout, "  %s: none\n", title)
		return
	}
	fmt.Fprintf(e.stdout, "  %s:\n", title)
	for _, it := range items {
		ev := ""
		if len(it.Findings) > 0 {
			ev = fmt.Sprintf(" [%s; e.g. %s]", strings.Join(it.Findings, " "), it.Example)
		}
		fmt.Fprintf(e.stdout, "    %s (%d)%s\n", it.Key, it.Count, ev)
	}
}

// diffSides loads the two sides: report directories are read back; input
// files are analysed together (so a log that extends the other contributes
// only its own requests) and each side is its file's run.
func diffSides(e *env, pa, pb string) (a, b *report.Report, la, lb string, err error) {
	isDir := func(p string) bool {
		_, err := os.Stat(filepath.Join(p, report.FindingsFile))
		return err == nil
	}
	switch {
	case isDir(pa) && isDir(pb):
		if a, err = report.ReadDir(pa); err != nil {
			return
		}
		b, err = report.ReadDir(pb)
		return a, b, pa, pb, err
	case !isDir(pa) && !isDir(pb):
		ls := analyze.Labels([]string{pa, pb})
		la, lb = ls[0], ls[1]
		var rep *report.Report
		rep, err = analyze.Run(e.ctx, []analyze.Input{{Path: pa, Label: la}, {Path: pb, Label: lb}}, analyze.Options{})
		if err != nil {
			return
		}
		return analyze.Select(rep, la), analyze.Select(rep, lb), la, lb, nil
	}
	err = &usageError{msg: "diff: give two report directories or two input logs", hint: "run wxaudit analyze --out DIR on each input first"}
	return
}
