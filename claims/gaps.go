package claims

import (
	"fmt"
	"strings"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// policyGaps: the distinct flows the privacy policy does not disclose, or
// discloses for another collector, or hands to another policy; most serious
// first.
func policyGaps(r *report.Report) report.Claim {
	c := report.Claim{ID: PolicyGaps, Source: report.SourceWxaudit, Title: "What the privacy policy does not tell you"}
	if r.Policy == nil {
		noPolicyModel(&c, "disclosure gaps")
		return c
	}
	groups := r.GroupGaps()
	counts := report.GapCounts(groups)
	serious := counts["incorrect_entity"] + counts["governed_elsewhere"] + counts["omitted"]
	type top struct {
		Kind      string `json:"kind"`
		DataType  string `json:"data_type"`
		Feature   string `json:"feature"`
		Recipient string `json:"recipient"`
		Findings  int    `json:"findings"`
	}
	var tops []top
	var ev evidence
	var examples []string
	for _, g := range groups {
		if g.Kind == "ambiguous" {
			continue
		}
		if len(tops) < 10 {
			tops = append(tops, top{g.Kind, g.DataType, g.Feature, g.Recipient, g.Findings})
		}
		if len(g.Evidence) > 0 {
			ev.add(g.Evidence[0])
		}
	}
	for _, kind := range report.GapSeverity[:3] {
		for _, g := range groups {
			if g.Kind == kind {
				examples = append(examples, fmt.Sprintf("%s (%s during %s, to %s)", kindWords(kind), taxonomy.DataTypePhrase(g.DataType), taxonomy.FeaturePhrase(g.Feature), g.Recipient))
				break
			}
		}
	}
	title := r.Policy.Title
	if r.Policy.Version != "" {
		title += " (" + r.Policy.Version + ")"
	}
	c.Numbers = map[string]any{"policy": r.Policy.Model, "version": r.Policy.Version, "distinct_gaps": len(groups),
		"serious_gaps": serious, "by_kind": counts, "top": tops}
	c.Evidence = ev.list()
	if serious > 0 {
		c.Verdict, c.Concern = report.Supported, true
		c.Statement = fmt.Sprintf("The %s leaves %d distinct data flows undisclosed, attributed to the wrong collector or handed to another policy (%d incorrect entity, %d governed elsewhere, %d omitted), for example %s; %d more are covered only by vague wording.",
			title, serious, counts["incorrect_entity"], counts["governed_elsewhere"], counts["omitted"], strings.Join(examples, "; "), counts["ambiguous"])
		c.Why = "at least one observed flow is omitted from the policy, disclosed only for another collector, or governed by another policy"
	} else {
		c.Verdict = report.Contradicted
		c.Statement = fmt.Sprintf("Every observed flow is disclosed by the %s (%d covered only by vague wording).", title, counts["ambiguous"])
		c.Why = "no omitted, incorrect-entity or governed-elsewhere flow"
	}
	return c
}

func kindWords(kind string) string {
	switch kind {
	case "incorrect_entity":
		return "disclosed only for another collector"
	case "governed_elsewhere":
		return "left to another policy"
	case "omitted":
		return "not disclosed"
	}
	return kind
}
