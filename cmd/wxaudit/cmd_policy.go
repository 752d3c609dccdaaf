package main

// wxaudit policy: show a privacy-policy model, or compare a report's
// findings with one.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxaudit/wxaudit/policy"
	"github.com/wxaudit/wxaudit/taxonomy"
)

const policyUsage = `Usage:
  wxaudit policy show [--yaml] NAME|FILE        what the model says, clause by clause
  wxaudit policy check --policy NAME|FILE [flags] REPORT_DIR
                                                compare a report's findings.jsonl with the model
  wxaudit policy list                           the built-in models and to whom they apply
  wxaudit policy schema                         the JSON schema of the model format

Built-in models: wechat (WeChat Privacy Policy, accounts outside mainland China),
weixin (Weixin Privacy Protection Guidelines, +86 accounts).
`

func runPolicy(e *env) error {
	if len(e.args) == 0 {
		return &usageError{msg: "policy: missing subcommand", hint: "run 'wxaudit policy --help'"}
	}
	switch e.args[0] {
	case "-h", "--help", "help":
		io.WriteString(e.stdout, policyUsage)
		return errHelpShown
	case "show":
		return runPolicyShow(e, e.args[1:])
	case "check":
		return runPolicyCheck(e, e.args[1:])
	case "list":
		for _, n := range policy.BuiltinNames() {
			m, _ := policy.Builtin(n)
			fmt.Fprintf(e.stdout, "%-8s %s (%s, %s): %s\n", n, m.Title, m.Version, m.Date, m.AppliesTo.Description)
		}
		return nil
	case "schema":
		_, err := e.stdout.Write(policy.Schema)
		return err
	}
	return &usageError{msg: fmt.Sprintf("policy: unknown subcommand %q", e.args[0]), hint: "run 'wxaudit policy --help'"}
}

func runPolicyShow(e *env, args []string) error {
	fs := newFlags(e, "policy show", "[--yaml] NAME|FILE")
	asYAML := fs.Bool("yaml", false, "print the model's YAML (a built-in one's source, to start your own from)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{msg: "policy show: want one model name or file", hint: "built-in models: " + strings.Join(policy.BuiltinNames(), ", ")}
	}
	if *asYAML {
		if src, err := policy.BuiltinSource(pos[0]); err == nil {
			_, err = e.stdout.Write(src)
			return err
		}
		src, err := os.ReadFile(pos[0])
		if err != nil {
			return withHint(err, "built-in models: "+strings.Join(policy.BuiltinNames(), ", "))
		}
		_, err = e.stdout.Write(src)
		return err
	}
	m, err := openModel(pos[0])
	if err != nil {
		return err
	}
	return policy.WriteModel(e.stdout, m)
}

func openModel(nameOrFile string) (*policy.Model, error) {
	m, err := policy.Open(nameOrFile)
	if err != nil {
		var ve *policy.ValidationError
		if errors.As(err, &ve) {
			return nil, withHint(err, "the model format is described by 'wxaudit policy schema'")
		}
		return nil, withHint(err, "built-in models: "+strings.Join(policy.BuiltinNames(), ", ")+"; or give a YAML file")
	}
	return m, nil
}

func runPolicyCheck(e *env, args []string) error {
	fs := newFlags(e, "policy check", "--policy NAME|FILE [flags] REPORT_DIR")
	name := fs.String("policy", "", "policy model: a built-in name (wechat, weixin) or a YAML file")
	country := fs.String("country", "", "pick the built-in policy for an account registered with this calling code (86 → weixin)")
	format := fs.String("format", "text", "output on stdout: text, markdown or jsonl")
	gapsOut := fs.String("gaps", "", "also write gaps.jsonl to this file")
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
	switch *format {
	case "text", "markdown", "md", "jsonl":
	default:
		return &usageError{msg: fmt.Sprintf("policy check: unknown format %q", *format), hint: "want text, markdown or jsonl"}
	}
	ropts := policy.ReadOptions{MinConfidence: *minConf, Permissions: map[string]string{}}
	if *perms != "" {
		for _, kv := range strings.Split(*perms, ",") {
			run, state, ok := strings.Cut(kv, "=")
			if !ok || run == "" || (state != taxonomy.PermOn && state != taxonomy.PermOff && state != taxonomy.PermUnknown) {
				return &usageError{msg: fmt.Sprintf("policy check: bad --permissions item %q", kv), hint: "write RUN=on or RUN=off, separated by commas"}
			}
			ropts.Permissions[run] = state
		}
	}
	m, err := openModel(*name)
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
		if err := writeGapsFile(*gapsOut, gaps); err != nil {
			return err
		}
	}
	ro := policy.RenderOptions{Model: m, Consistent: *all}
	switch *format {
	case "jsonl":
		if !*all {
			gaps = onlyGaps(gaps)
		}
		return policy.WriteGaps(e.stdout, gaps)
	case "markdown", "md":
		return policy.WriteMarkdown(e.stdout, gaps, ro)
	}
	return policy.WriteText(e.stdout, gaps, ro)
}

func onlyGaps(gaps []policy.Gap) []policy.Gap {
	out := gaps[:0:0]
	for _, g := range gaps {
		if g.Verdict.IsGap() {
			out = append(out, g)
		}
	}
	return out
}

// writeGapsFile writes gaps.jsonl atomically: to a temporary file renamed
// into place, so a failed run leaves any previous file intact.
func writeGapsFile(path string, gaps []policy.Gap) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gaps-*.jsonl")
	if err != nil {
		return err
	}
	if err := policy.WriteGaps(tmp, gaps); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
