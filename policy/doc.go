// Package policy compares what WeChat sent with what a privacy policy
// discloses, after PoliCheck's entity-sensitive flow-to-policy
// consistency analysis.
//
// A Model is a policy as data: disclosures (data types or broader
// categories, the collecting entity, features, purpose, an optional gating
// permission, and the clause with its source and certainty) and hand-offs
// of features to another policy. Models are YAML in the format documented by
// Schema (schema.json); LoadModel validates them and names the line of
// every problem. Builtin returns the shipped models: "wechat" (WeChat
// Privacy Policy) and "weixin" (Weixin Privacy Protection Guidelines),
// built from doc/policy-facts.md; Applicable says which one governs an account.
//
// A Flow is one data type sent to one recipient during one feature of one
// run; ReadFindings aggregates the findings.jsonl of `wxaudit analyze` into
// flows. Evaluate classes each flow as a Gap: consistent, ambiguous,
// governed_elsewhere, incorrect_entity or omitted. WriteGaps writes
// gaps.jsonl; WriteMarkdown and WriteText state each gap in plain words with
// its evidence chain (packet → finding → flow → clause), for the report.
//
// # Use first
//
//	m, _ := policy.Builtin(policy.Applicable("44"))
//	flows, err := policy.ReadReport("report/", policy.ReadOptions{})
//	gaps := policy.Evaluate(m, flows, policy.Options{FollowHandoffs: true})
//	policy.WriteGaps(w, gaps)
//
// # Contract
//
// Evaluate is pure: no I/O, deterministic, flows are not modified. Models
// returned by Builtin are shared and must not be modified. The package never
// copies a finding's value into a flow or a gap: values are decrypted user
// data and stay in findings.jsonl, which gaps link to by finding ID.
//
// # Memory
//
// LoadModel reads at most 4 MiB and lists at most 10,000 items each.
// ReadFindings holds one Flow per distinct (data type, recipient, feature,
// run), the finding IDs, and at most MaxExamples examples per flow; a line
// may be at most 1 MiB. Evaluate allocates one Gap per flow.
package policy
