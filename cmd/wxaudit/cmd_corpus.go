package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/corpus"
	"github.com/wxaudit/wxaudit/internal/gcpace"
	"github.com/wxaudit/wxaudit/store/parquet"
)

func runCorpus(e *env) error {
	if len(e.args) > 0 && e.args[0] == "merge" {
		sub := *e
		sub.args = e.args[1:]
		return runCorpusMerge(&sub)
	}
	fs := newFlags(e, "corpus", "--out DIR [-j N] [--add] [--shard I/N --key FILE] RUN_FOLDER|REQUEST_LOG...\n       wxaudit corpus merge --out DIR SHARD_DIR...")
	out := fs.String("out", "", "corpus `DIR`: corpus.db, parquet/, metrics.json, report.html")
	jobs := fs.Int("j", 0, "runs analysed at once (0: one per core)")
	add := fs.Bool("add", false, "analyse only runs that are new or whose inputs changed")
	pol := fs.String("policy", "wechat", "compare each run with a privacy policy model: a shipped `NAME` (wechat: the WeChat Privacy Policy of 2022-09-09; weixin), a YAML file, or none; fills the gaps table")
	quiet := fs.Bool("q", false, "no progress on stderr")
	shard := fs.String("shard", "", "analyse only shard `I/N` of the runs (0 <= I < N; a chain of request logs stays in one shard), for a batch engine; join the shards' folders with 'wxaudit corpus merge'")
	keyFile := fs.String("key", "", "redaction key `FILE` of the shareable tables, shared by a study's shards (made at random if missing; secret)")
	reveal := fs.Bool("reveal", false, "also write the raw tables (values in clear, payloads) into parquet-raw/, a secret folder like corpus.db; parquet/ is always the shareable, redacted tables")
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
	if *jobs < 0 {
		return &usageError{msg: fmt.Sprintf("corpus: -j %d: the number of runs at once cannot be negative", *jobs), hint: "-j 0 (the default) runs one per core"}
	}
	// --reveal is part of what --add compares: turning it on writes the
	// raw tables of every run, not only of the new ones.
	settings := "policy=" + *pol
	if *reveal {
		settings += " reveal"
	}
	opts := corpus.Options{Out: *out, Jobs: *jobs, Add: *add, Reveal: *reveal, Settings: settings,
		Notice: func(s string) { fmt.Fprintln(e.stderr, "wxaudit: "+s) }}
	if *shard != "" {
		if opts.Shard, err = corpus.ParseShard(*shard); err != nil {
			return &usageError{msg: err.Error(), hint: "e.g. --shard 0/4 ... --shard 3/4, with one --key FILE for all four"}
		}
	}
	if *keyFile != "" {
		if opts.Key, err = corpus.LoadKey(*keyFile); err != nil {
			return err
		}
	}
	// Each run's report states its claims, compared with the policy.
	if opts.Analyze.Policy, err = analyze.OpenPolicy(*pol); err != nil {
		return err
	}
	// As for analyze: the collector's default pace while the heap is
	// small, GOGC=50 once it is not (a chain of long logs, -j workers).
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer gcpace.Bounded(analyzeHeapLimit)()
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
	return corpusSummary(e, res, "analysed", *out, *reveal)
}

// runCorpusMerge joins shard folders into one corpus.
func runCorpusMerge(e *env) error {
	fs := newFlags(e, "corpus merge", "--out DIR SHARD_DIR...   (folders written by corpus --shard I/N)")
	out := fs.String("out", "", "corpus `DIR` to write: corpus.db, parquet/, metrics.json, claims.json, report.html")
	pol := fs.String("policy", "wechat", "the policy model the shards were analysed with (`NAME` or file): the claims state it")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if *out == "" || len(args) == 0 {
		return &usageError{msg: "corpus merge: --out DIR and shard folders are required", hint: "e.g. wxaudit corpus merge --out study/ shard-*/"}
	}
	opts := corpus.Options{Out: *out, Notice: func(s string) { fmt.Fprintln(e.stderr, "wxaudit: "+s) }}
	if opts.Analyze.Policy, err = analyze.OpenPolicy(*pol); err != nil {
		return err
	}
	res, err := corpus.Merge(e.ctx, args, opts)
	if err != nil {
		return err
	}
	_, rawErr := os.Stat(filepath.Join(*out, parquet.RawDir))
	return corpusSummary(e, res, "merged", *out, rawErr == nil)
}

// corpusSummary prints what a corpus or merge run wrote.
func corpusSummary(e *env, res *corpus.Result, verb, out string, reveal bool) error {
	m := res.Metrics
	fmt.Fprintf(e.stdout, "%d runs %s, %d unchanged, %d failed; corpus: %d runs\n", len(res.Analysed), verb, len(res.Skipped), len(res.Failed), m.Runs)
	if m.ShareRunsWithMiniProgramBrowsing != nil {
		fmt.Fprintf(e.stdout, "Mini Program browsing sent to WeChat: %.1f%% of runs (%d of %d runs with a decrypted payload)\n",
			100**m.ShareRunsWithMiniProgramBrowsing, m.RunsWithMiniProgramBrowsing, m.RunsWithDecryptedPayload)
	}
	if reveal {
		fmt.Fprintf(e.stdout, "wrote %s (corpus.db, parquet/, parquet-raw/, metrics.json, report.html); corpus.db and parquet-raw/ are secret: never share them\n", out)
	} else {
		fmt.Fprintf(e.stdout, "wrote %s (corpus.db, parquet/, metrics.json, report.html); corpus.db is secret: share parquet/ and report.html\n", out)
		if _, err := os.Stat(filepath.Join(out, parquet.RawDir)); err == nil {
			fmt.Fprintf(e.stderr, "wxaudit: warning: %s holds raw tables from an earlier --reveal run, in clear and no longer updated; remove it when done\n", filepath.Join(out, parquet.RawDir))
		}
	}
	if len(res.Failed) > 0 {
		return withHint(fmt.Errorf("corpus: %d runs failed: %s", len(res.Failed), strings.Join(res.Failed, ", ")),
			"their errors are in the runs table and report.html; the other runs are stored")
	}
	return nil
}
