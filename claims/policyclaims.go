package claims

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// The study's findings 4 and 5 are about what the privacy policy says of
// flows the traffic shows: each needs both the flows (observed) and the
// policy model's reading of them (report.PolicyResult).

// browsingTypes are the Mini Program activity data types (PETS 2025,
// "What WeChat Knows": pages, UI events, usage reports).
var browsingTypes = map[string]bool{
	string(taxonomy.MiniProgramPagePath): true,
	string(taxonomy.UIEvents):            true,
	string(taxonomy.UsageStatistics):     true,
}

// policyMiniProgramCollector tests finding 4: the policy implies only
// third parties collect Mini Program usage data, when WeChat also does.
// supported: WeChat received Mini Program activity (miniprogram_tracking's
// unit) and the policy model discloses such data only for another
// collector (an incorrect_entity gap); contradicted: the activity was
// received and the model finds no such gap; not_testable without either.
func policyMiniProgramCollector(head *report.Report, mp *mpTally) report.Claim {
	c := report.Claim{ID: PolicyMiniProgramCollector, Source: report.SourceStudy,
		Title:         "The privacy policy names only third parties as collectors of Mini Program data",
		StudySentence: "We identify disclosure gaps with WeChat's privacy policy, which implies that only third-parties collect usage data related to Mini Programs, when, in fact, WeChat also collects this data."}
	active := mp.active()
	var ev evidence
	for _, app := range active {
		for _, u := range []string{unitPage, unitUIEvent, unitStayTime} {
			ev.add(mp.apps[app].evidenceBy[u])
		}
	}
	var wrong, omitted []report.GapGroup
	for _, g := range head.GroupGaps() {
		if !browsingTypes[g.DataType] || !toWeChat(g.Recipient) {
			continue
		}
		switch g.Kind {
		case "incorrect_entity":
			wrong = append(wrong, g)
		case "omitted":
			omitted = append(omitted, g)
		}
	}
	c.Numbers = map[string]any{"miniprograms_with_activity": len(active), "incorrect_entity_gaps": len(wrong), "omitted_gaps": len(omitted)}
	if head.Policy != nil {
		c.Numbers["policy"], c.Numbers["version"] = head.Policy.Model, head.Policy.Version
	}
	for _, g := range omitted {
		c.Exceptions = append(c.Exceptions, fmt.Sprintf("not disclosed at all: %s during %s", taxonomy.DataTypePhrase(g.DataType), taxonomy.FeaturePhrase(g.Feature)))
	}
	switch {
	case head.Policy == nil:
		noPolicyModel(&c, "what the policy says of Mini Program data")
	case len(active) == 0:
		c.Verdict = report.NotTestable
		c.Statement = "No Mini Program activity reached WeChat in these runs, so the policy's account of who collects it cannot be tested."
		c.Why = "the claim needs Mini Program activity received by WeChat (see miniprogram_tracking)"
		c.Next = "capture a run that opens a Mini Program and uses it"
	case len(wrong) > 0:
		c.Verdict, c.Concern = report.Supported, true
		var what []string
		for _, g := range wrong {
			if p := taxonomy.DataTypePhrase(g.DataType); !slices.Contains(what, p) {
				what = append(what, p)
			}
			ev.add(firstOf(g.Evidence))
		}
		c.Numbers["clause"] = wrong[0].Clause
		c.Statement = fmt.Sprintf("WeChat's own servers received activity from %d Mini Program%s, but the %s presents such data (%s) as collected by the Mini Programs' developers only.",
			len(active), plural(len(active)), policyTitle(head), joinAnd(what))
		c.Why = "Mini Program activity reached WeChat, and the policy model discloses that data only for another collector (incorrect_entity)"
	default:
		c.Verdict = report.Contradicted
		c.Concern = len(omitted) > 0
		c.Statement = fmt.Sprintf("WeChat received activity from %d Mini Program%s, and the %s does not attribute that data to third parties only.", len(active), plural(len(active)), policyTitle(head))
		c.Why = "no incorrect_entity gap for Mini Program activity data sent to WeChat"
	}
	c.Evidence = ev.list()
	return c
}

// weixinGovernedFeatures tests finding 5: Search and Channels, used inside
// WeChat, are governed by Weixin's Privacy Protection Guidelines, not by
// the WeChat Privacy Policy. It says "governed by", never "sent to another
// company": the servers are the same. supported: requests of either
// feature carried personal data and the policy model hands them to
// another policy (governed_elsewhere); contradicted: the model covers
// them itself; not_testable: neither feature used, or no model.
func weixinGoverned(head *report.Report, core *coreTally) report.Claim {
	c := report.Claim{ID: WeixinGovernedFeatures, Source: report.SourceStudy,
		Title:         "Search and Channels are governed by Weixin's guidelines, not WeChat's policy",
		StudySentence: "Some important features within WeChat, such as Advanced Search and Channels, are not governed by WeChat's own Privacy Policy. Instead, they are governed by Weixin's Privacy Protection Guidelines."}
	features := []string{taxonomy.FeatureSearch, taxonomy.FeatureChannels}
	used := map[string]int{}
	var usedNames []string
	for _, f := range features {
		if n := core.personal[f]; n > 0 {
			used[f] = n
			usedNames = append(usedNames, fmt.Sprintf("%s (%d request%s with personal data)", taxonomy.FeaturePhrase(f), n, plural(n)))
		}
	}
	var ev evidence
	elsewhere := map[string]report.GapGroup{}
	for _, g := range head.GroupGaps() {
		if g.Kind == "governed_elsewhere" && used[g.Feature] > 0 {
			if _, ok := elsewhere[g.Feature]; !ok {
				elsewhere[g.Feature] = g
			}
			ev.add(firstOf(g.Evidence))
		}
	}
	c.Numbers = map[string]any{"requests_with_personal_data": used, "features_governed_elsewhere": sortedKeys(elsewhere)}
	for _, f := range features {
		if used[f] > 0 {
			if _, ok := elsewhere[f]; !ok && head.Policy != nil {
				c.Exceptions = append(c.Exceptions, taxonomy.FeaturePhrase(f)+" is covered by the policy itself in this model")
			}
		}
	}
	switch {
	case head.Policy == nil:
		noPolicyModel(&c, "which policy governs Search and Channels")
	case len(used) == 0:
		c.Verdict = report.NotTestable
		c.Statement = "Neither Search nor Channels sent personal data in these runs, so which policy governs them cannot be shown from this traffic."
		c.Why = "the claim needs requests of Search or Channels carrying personal data"
		c.Next = "capture a run that searches (搜一搜) or watches Channels"
	case len(elsewhere) > 0:
		c.Verdict, c.Concern = report.Supported, true
		var names []string
		for _, f := range sortedKeys(elsewhere) {
			names = append(names, taxonomy.FeaturePhrase(f))
		}
		c.Statement = fmt.Sprintf("Data sent during %s is governed by Weixin's Privacy Protection Guidelines, not by the %s", joinAnd(names), policyTitle(head)) + "; the user may have weaker protection than they think. Observed: " + strings.Join(usedNames, ", ") + "."
		c.Why = "requests of these features carried personal data, and the policy model hands them to another policy (governed_elsewhere)"
	default:
		c.Verdict = report.Contradicted
		c.Statement = fmt.Sprintf("The %s itself covers the data sent during %s.", policyTitle(head), strings.Join(usedNames, " and "))
		c.Why = "no governed_elsewhere gap for Search or Channels"
	}
	c.Evidence = ev.list()
	return c
}

// noPolicyModel states a policy claim that has no model to read.
func noPolicyModel(c *report.Claim, what string) {
	c.Verdict = report.NotTestable
	c.Statement = "No privacy-policy model was applied, so " + what + " was not assessed."
	c.Why = "no policy model was given"
	c.Next = "run analyze with --policy wechat (the policy in force for the runs' dates)"
}

func policyTitle(head *report.Report) string {
	if head.Policy == nil {
		return "privacy policy"
	}
	t := head.Policy.Title
	if head.Policy.Version != "" {
		t += " (" + head.Policy.Version + ")"
	}
	return t
}

func firstOf(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return xs[0]
}
