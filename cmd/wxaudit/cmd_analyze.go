package main

import (
	"fmt"
	"strings"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/keylog"
)

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
	if len(labels) > len(args) || len(perms) > len(args) {
		return &usageError{msg: "analyze: more --label/--permissions than inputs"}
	}
	copts := classify.Options{}
	if *rules != "" {
		b, err := sniff.ReadFile(*rules, classify.MaxFileSize)
		if err != nil {
			return err
		}
		extra, err := classify.ParseRules(b)
		if err != nil {
			return withHint(err, "see classify/rules.yaml for the format")
		}
		copts.Rules = append(classify.DefaultRules(), extra...)
	}
	if *canaries != "" {
		b, err := sniff.ReadFile(*canaries, classify.MaxFileSize)
		if err != nil {
			return err
		}
		cs, err := classify.ParseCanaries(b)
		if err != nil {
			return withHint(err, "format: canaries: [{name: my-phone, type: phone_number, value: \"+1 555 0100\"}]")
		}
		copts.Canaries = cs
	}
	var inputs []analyze.Input
	var keys *keylog.Log
	for i, a := range args {
		in := analyze.Input{Path: a}
		if sniff.IsCapture(a) {
			if len(keylogs) == 0 {
				return &usageError{msg: fmt.Sprintf("analyze: %s is a capture: --keylog is required", a),
					hint: "pass the key log exported during the capture: wxaudit analyze --keylog k.log " + a + " --out DIR"}
			}
			if keys == nil {
				if keys, err = loadKeylogs(keylogs); err != nil {
					return err
				}
			}
			in.Keys = keys
		}
		if i < len(labels) {
			in.Label = labels[i]
		}
		if i < len(perms) {
			in.Permissions = perms[i]
		}
		inputs = append(inputs, in)
	}
	aopts := analyze.Options{Classifier: classify.New(copts), NoPrefix: *noPrefix, KeepPayloads: true}
	if aopts.Policy, err = analyze.OpenPolicy(*pol); err != nil {
		return err
	}
	if aopts.Needs, err = analyze.OpenNeeds(*needsFile); err != nil {
		return err
	}
	rep, err := analyze.Run(e.ctx, inputs, aopts)
	if err != nil {
		return err
	}
	for _, w := range rep.Errors {
		if m, ok := strings.CutPrefix(w, analyze.WarningPrefix); ok {
			fmt.Fprintln(e.stderr, "wxaudit: warning: "+m)
		}
	}
	rep.Render.Reveal = *reveal
	if err := rep.WriteDir(*out); err != nil {
		return err
	}
	for _, run := range rep.Runs {
		fmt.Fprintf(e.stdout, "%s: %d requests, data types: %s\n", run.Label, run.Requests, strings.Join(rep.DataTypes(run.Label), " "))
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
	fmt.Fprintf(e.stdout, "wrote %s (%d findings)\n", *out, len(rep.Findings))
	return nil
}
