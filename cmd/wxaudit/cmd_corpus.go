package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/corpus"
	"github.com/wxaudit/wxaudit/store"
)

func runCorpus(e *env) error {
	fs := newFlags(e, "corpus", "--out DIR [-j N] [--add] RUN_FOLDER|REQUEST_LOG...")
	out := fs.String("out", "", "corpus `DIR`: corpus.db, parquet/, metrics.json, report.html")
	jobs := fs.Int("j", 0, "runs analysed at once (0: one per core)")
	add := fs.Bool("add", false, "analyse only runs that are new or whose inputs changed")
	pol := fs.String("policy", "wechat", "compare each run with a privacy policy model: a shipped `NAME` (wechat: the WeChat Privacy Policy of 2022-09-09; weixin), a YAML file, or none; fills the gaps table")
	quiet := fs.Bool("q", false, "no progress on stderr")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if *out == "" {
		return &usageError{msg: "corpus: --out DIR is required", hint: "e.g. wxaudit corpus --out study/ runs/*/"}
	}
	if len(args) == 0 {
		return &usageError{msg: "corpus: no runs", hint: "give run folders (capture + key log [+ run.yaml]) or request-log files"}
	}
	opts := corpus.Options{Out: *out, Jobs: *jobs, Add: *add, Settings: "policy=" + *pol}
	// Each run's report states its claims, compared with the policy.
	if opts.Analyze.Policy, err = analyze.OpenPolicy(*pol); err != nil {
		return err
	}
	bar := isTerminal(e.stderr)
	if !*quiet {
		opts.Progress = func(p corpus.Progress) { corpusProgress(e, p, bar) }
	}
	res, err := corpus.Run(e.ctx, args, opts)
	if bar && !*quiet {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err != nil {
		return err
	}
	m := res.Metrics
	fmt.Fprintf(e.stdout, "%d runs analysed, %d unchanged, %d failed; corpus: %d runs\n", len(res.Analysed), len(res.Skipped), len(res.Failed), m.Runs)
	if m.ShareRunsWithMiniProgramBrowsing != nil {
		fmt.Fprintf(e.stdout, "Mini Program browsing sent to WeChat: %.1f%% of runs (%d of %d runs with a decrypted payload)\n",
			100**m.ShareRunsWithMiniProgramBrowsing, m.RunsWithMiniProgramBrowsing, m.RunsWithDecryptedPayload)
	}
	fmt.Fprintf(e.stdout, "wrote %s (corpus.db, parquet/, metrics.json, report.html)\n", *out)
	if len(res.Failed) > 0 {
		return withHint(fmt.Errorf("corpus: %d runs failed: %s", len(res.Failed), strings.Join(res.Failed, ", ")),
			"their errors are in the runs table and report.html; the other runs are stored")
	}
	return nil
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// corpusProgress draws a bar on a terminal, else one quiet line a run.
func corpusProgress(e *env, p corpus.Progress, bar bool) {
	r := p.Run
	if !bar {
		status := fmt.Sprintf("%d requests, %d findings", r.Requests, r.Findings)
		if r.Status == store.StatusFailed {
			status = "failed: " + r.Error
		}
		fmt.Fprintf(e.stderr, "wxaudit: corpus: [%d/%d] %s: %s\n", p.Done, p.Total, r.Run, status)
		return
	}
	const width = 30
	done := width * p.Done / max(p.Total, 1)
	eta := "?"
	if p.Done > 0 {
		left := time.Duration(float64(p.Elapsed) / float64(p.Done) * float64(p.Total-p.Done))
		eta = left.Round(time.Second).String()
	}
	fmt.Fprintf(e.stderr, "\r\033[K[%s%s] %d/%d runs, %d requests, ETA %s", strings.Repeat("=", done), strings.Repeat(" ", width-done), p.Done, p.Total, p.Requests, eta)
	if r.Status == store.StatusFailed {
		fmt.Fprintf(e.stderr, "\r\033[Kwxaudit: corpus: %s failed: %s\n", r.Run, r.Error)
	}
}
