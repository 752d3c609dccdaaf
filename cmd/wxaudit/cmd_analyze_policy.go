package main

import (
	"bytes"
	"fmt"

	"github.com/wxaudit/wxaudit/policy"
	"github.com/wxaudit/wxaudit/report"
)

// applyPolicy compares the report's findings with a policy model (a shipped
// name or a YAML file) and stores the gaps in the report, which then writes
// gaps.jsonl and its Policy section. Consistent flows are left out.
func applyPolicy(nameOrFile string, rep *report.Report) error {
	if nameOrFile == "" {
		return nil
	}
	m, err := policy.Open(nameOrFile)
	if err != nil {
		return withHint(err, fmt.Sprintf("shipped models: %v; or give a YAML file", policy.BuiltinNames()))
	}
	var buf bytes.Buffer
	if err := rep.WriteFindings(&buf); err != nil {
		return err
	}
	flows, err := policy.ReadFindings(&buf, report.FindingsFile, policy.ReadOptions{})
	if err != nil {
		return err
	}
	res := &report.PolicyResult{Model: m.Name, Title: m.Title, Version: m.Version}
	for _, g := range policy.Evaluate(m, flows, policy.Options{OmitConsistent: true}) {
		res.Gaps = append(res.Gaps, report.Gap{Kind: string(g.Kind), DataType: g.DataType, Feature: g.Feature,
			Recipient: g.Recipient, Run: g.Run, Clause: g.Clause, Statement: g.Explanation, Findings: g.Evidence})
	}
	rep.Policy = res
	return nil
}
