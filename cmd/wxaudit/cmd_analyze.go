package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/internal/gcpace"
	"github.com/wxaudit/wxaudit/internal/leftover"
	"github.com/wxaudit/wxaudit/report"
)

// analyzeHeapLimit is the soft limit on the Go heap of wxaudit analyze:
// 15k requests peak at about 77 MB of RSS under it (the binary's own pages
// are the rest).
const analyzeHeapLimit = 64 << 20

func runAnalyze(e *env) error {
	fs := newFlags(e, "analyze", "[flags] INPUT.jsonl... --out DIR")
	out := fs.String("out", "", "write the report into `DIR` (findings.jsonl, summary.json, flows.csv, report.md, report.html)")
	canaries := fs.String("canary", "", "YAML `FILE` of values known to be yours (canaries: [{name, type, value}])")
	rules := fs.String("rules", "", "YAML `FILE` of extra endpoint rules (same format as the shipped rules)")
	noPrefix := fs.Bool("no-prefix", false, "do not treat logs that are prefixes of one another as successive runs")
	pol := fs.String("policy", "wechat", "compare with a privacy policy model: a shipped `NAME` (wechat: the WeChat Privacy Policy of 2022-09-09; weixin), a YAML file, or none; writes gaps.jsonl")
	needsFile := fs.String("needs", "", "YAML `FILE` extending the necessity model of core_features_need (see claims/needs.yaml)")
	reveal := fs.Bool("reveal", false, "show the researcher's identifiers and precise coordinates in the shareable report files (default: pseudonyms, ~1 km)")
	var labels, perms, keylogs stringList
	fs.Var(&keylogs, "keylog", "key log `FILE` for capture inputs (Frida or wxaudit secrets format; repeatable)")
	fs.Var(&labels, "label", "run label for the inputs, in order (repeatable)")
	fs.Var(&perms, "permissions", "permission state (on, off) for the inputs, in order (repeatable)")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) == 0 {
		return &usageError{msg: "analyze: no input files", hint: "run 'wxaudit analyze --help'"}
	}
	if *out == "" {
		return &usageError{msg: "analyze: --out DIR is required", hint: "e.g. wxaudit analyze run.log.jsonl --out report/"}
	}
	// The folder is replaced whole at the end: an input inside it (an
	// earlier report's requests.jsonl, a key log kept there) would go.
	if p := inside(*out, append(append(append([]string{}, args...), keylogs...), *canaries, *rules, *needsFile)); p != "" {
		return withHint(fmt.Errorf("analyze: the input %s is inside --out %s, which is replaced", p, *out), "give --out another folder, or move the input out of it")
	}
	inputs, err := analyze.Inputs(args, labels, perms, keylogs)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if in.Keys != nil { // one log shared by every capture
			warnKeylog(e, in.Keys)
			break
		}
	}
	aopts := analyze.Options{NoPrefix: *noPrefix, KeepPayloads: true}
	if aopts.Classifier, err = analyze.OpenClassifier(*rules, *canaries); err != nil {
		return err
	}
	if aopts.Policy, err = analyze.OpenPolicy(*pol); err != nil {
		return err
	}
	if aopts.Needs, err = analyze.OpenNeeds(*needsFile); err != nil {
		return err
	}
	// Findings stream to disk, so the live heap stays small (about 20 MB
	// at 15k requests): a soft heap limit keeps the peak RSS well under
	// 100 MB there while short runs collect at the default pace. GOGC=50
	// bounded the peak too, for 20 to 30% more CPU on every run
	// (BENCHMARKS.md). GOGC or GOMEMLIMIT set by the user win.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer gcpace.Bounded(analyzeHeapLimit)()
	}
	if abs, err := filepath.Abs(*out); err == nil {
		swept, _ := leftover.Sweep(filepath.Dir(abs), filepath.Base(abs))
		sayRemoved(e, swept)
	}
	res, err := analyze.Write(e.ctx, inputs, aopts, *out, report.RenderOptions{Reveal: *reveal})
	if err != nil {
		return err
	}
	rep := res.Report
	for _, w := range rep.Errors {
		if m, ok := strings.CutPrefix(w, analyze.WarningPrefix); ok {
			fmt.Fprintln(e.stderr, "wxaudit: warning: "+m)
		}
	}
	for _, run := range rep.Runs {
		fmt.Fprintf(e.stdout, "%s: %d requests, data types: %s\n", run.Label, run.Requests, strings.Join(res.DataTypes[run.Label], " "))
		if d := run.Decryption; d != nil {
			nd := "nothing"
			if l := d.NotDecrypted(); len(l) > 0 {
				nd = strings.Join(l, ", ")
			}
			fmt.Fprintf(e.stdout, "%s: decrypted %d of %d encrypted records, %d payloads; not decrypted: %s\n", run.Label, d.RecordsDecrypted, d.RecordsEncrypted, d.Payloads, nd)
		}
	}
	for _, c := range rep.Claims {
		fmt.Fprintf(e.stdout, "claim %s: %s\n", c.ID, c.Verdict)
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d findings)\n", *out, res.Findings)
	return nil
}
