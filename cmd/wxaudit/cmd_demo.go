package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/synth"
)

// runDemo generates a short synthetic scenario and runs every stage on it:
// synth → decrypt → decode/analyze → report.
func runDemo(e *env) error {
	fs := newFlags(e, "demo", "[--out DIR] [--scenario NAME] [--seed N]")
	out := fs.String("out", "", "write everything into `DIR` (default: a new temporary folder)")
	scenario := fs.String("scenario", "all", "synthetic `scenario` to run (wxaudit synth --list)")
	seed := fs.Int64("seed", 1, "random `seed` of the scenario")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return &usageError{msg: "demo takes no arguments", hint: "wxaudit demo [--out DIR]"}
	}
	dir := *out
	if dir != "" {
		// A demo folder is rewritten freely; any other folder with files
		// is not the demo's to write into.
		ents, _ := os.ReadDir(dir)
		if _, err := os.Stat(filepath.Join(dir, "synth", synth.FileManifest)); len(ents) > 0 && err != nil {
			return withHint(fmt.Errorf("demo: %s holds files and is not an earlier demo's folder: they could be overwritten", dir), "give --out a new folder")
		}
	}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "wxaudit-demo-"); err != nil {
			return err
		}
	}
	say := func(format string, args ...any) { fmt.Fprintf(e.stdout, format+"\n", args...) }

	// 1. Synthetic traffic with ground truth.
	res, err := synth.Generate(synth.Options{Scenario: *scenario, Seed: *seed, OutDir: filepath.Join(dir, "synth")})
	if err != nil {
		return withHint(err, "wxaudit synth --list shows the scenarios")
	}
	say("1. synth:   %d connections, %d payloads (ground truth of planted personal data in manifest.jsonl) -> %s", res.Connections, res.Payloads, filepath.Dir(res.Capture))

	// 2. Decrypt the capture with the secrets key log.
	payloads := filepath.Join(dir, "payloads.jsonl")
	keys, err := keylog.Load([]string{res.Secrets})
	if err != nil {
		return err
	}
	st, err := decrypt.File(e.ctx, res.Capture, payloads, decrypt.Options{Keys: keys})
	if err != nil {
		return err
	}
	say("2. decrypt: %s -> %s", st.Summary(), payloads)

	// 3. Decode, find personal data, attribute it, report.
	wechat, err := analyze.OpenPolicy("wechat")
	if err != nil {
		return err
	}
	rep, err := analyze.Run(e.ctx, []analyze.Input{{Path: payloads, Label: "demo-" + *scenario}}, analyze.Options{Policy: wechat})
	if err != nil {
		return err
	}
	rep.Synthetic = true
	reportDir := filepath.Join(dir, "report")
	if err := rep.WriteDir(reportDir); err != nil {
		return err
	}
	for _, run := range rep.Runs {
		say("3. analyze: %s: %d requests; data types found: %s", run.Label, run.Requests, strings.Join(rep.DataTypes(run.Label), " "))
	}
	if rep.Policy != nil {
		kinds := map[string]int{}
		for _, g := range rep.Policy.Gaps {
			kinds[g.Kind]++
		}
		var parts []string
		for _, k := range []string{"incorrect_entity", "omitted", "governed_elsewhere", "ambiguous"} {
			if kinds[k] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
			}
		}
		say("4. policy:  %s: %s", rep.Policy.Title, strings.Join(parts, ", "))
	}
	say("   report:  %s (open report.html in a browser; findings.jsonl, summary.json, report.md)", reportDir)
	say("   the traffic is synthetic: the report's answers show what wxaudit does, not what WeChat does")
	say("ground truth of what was planted: %s", res.Manifest)
	return nil
}
