package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/wxaudit/wxaudit/internal/atomicfile"
	"github.com/wxaudit/wxaudit/internal/leftover"
	"github.com/wxaudit/wxaudit/policy"
)

func runPolicyCheck(e *env, args []string) error {
	fs := newFlags(e, "policy check", "--policy NAME|FILE [flags] REPORT_DIR")
	name := fs.String("policy", "", "policy model: a built-in name (wechat, weixin) or a YAML file")
	country := fs.String("country", "", "pick the built-in policy for an account registered with this calling code (86 → weixin)")
	format := fs.String("format", "text", "output on stdout: text, markdown or jsonl")
	gapsOut := fs.String("gaps", "", "also write gaps.jsonl to this file")
	force := fs.Bool("force", false, "replace an existing --gaps file (never a file of the report)")
	all := fs.Bool("all", false, "list consistent flows too")
	perms := fs.String("permissions", "", "permission state per run, overriding the run labels: RUN=on,RUN=off")
	minConf := fs.String("min-confidence", "", "ignore findings below this confidence: high, medium or low")
	follow := fs.Bool("follow", true, "also classify governed_elsewhere flows under the other policy")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{msg: "policy check: want one report directory", hint: "run 'wxaudit analyze --out DIR' first, then 'wxaudit policy check --policy wechat DIR'"}
	}
	switch {
	case *name == "" && *country == "":
		return &usageError{msg: "policy check: --policy or --country is required", hint: "use --policy wechat for accounts outside mainland China, --policy weixin for +86"}
	case *name != "" && *country != "":
		return &usageError{msg: "policy check: give --policy or --country, not both"}
	case *country != "":
		*name = policy.Applicable(*country)
	}
	if !slices.Contains(policy.Formats, *format) {
		return &usageError{msg: fmt.Sprintf("policy check: unknown format %q", *format), hint: "want text, markdown or jsonl"}
	}
	runPerms, err := policy.ParseRunPermissions(*perms)
	if err != nil {
		return &usageError{msg: "policy check: " + err.Error(), hint: "write RUN=on or RUN=off, separated by commas"}
	}
	ropts := policy.ReadOptions{MinConfidence: *minConf, Permissions: runPerms}
	if *gapsOut != "" {
		// The report's own files are inputs, whatever --force says.
		inputs, _ := filepath.Glob(filepath.Join(pos[0], "*"))
		if err := atomicfile.CheckTarget(*gapsOut, inputs, *force); err != nil {
			return fmt.Errorf("policy check: --gaps: %w", err)
		}
		swept, _ := leftover.Sweep(filepath.Dir(*gapsOut), filepath.Base(*gapsOut))
		sayRemoved(e, swept)
	}
	m, err := policy.Open(*name)
	if err != nil {
		return err
	}
	flows, err := policy.ReadReport(pos[0], ropts)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return withHint(err, "REPORT_DIR must hold findings.jsonl, as written by 'wxaudit analyze --out REPORT_DIR'")
		}
		return err
	}
	gaps := policy.Evaluate(m, flows, policy.Options{FollowHandoffs: *follow})
	if *gapsOut != "" {
		if err := atomicfile.Write(*gapsOut, func(w io.Writer) error { return policy.WriteGaps(w, gaps) }); err != nil {
			return err
		}
	}
	return policy.WriteFormat(e.stdout, *format, gaps, policy.RenderOptions{Model: m, Consistent: *all})
}
