package main

// wxaudit policy: show a privacy-policy model, or compare a report's
// findings with one.

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wxaudit/wxaudit/policy"
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
	m, err := policy.Open(pos[0])
	if err != nil {
		return err
	}
	return policy.WriteModel(e.stdout, m)
}
