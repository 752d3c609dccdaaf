package report

import (
	"sort"

	"github.com/wxaudit/wxaudit/internal/lazyre"
)

// GapGroup is one distinct policy gap: one kind × data type × feature ×
// recipient × clause, with the runs it was seen in and the count of
// findings behind it. It is one line of gaps.jsonl.
type GapGroup struct {
	Kind      string `json:"kind"`
	DataType  string `json:"data_type"`
	Feature   string `json:"feature"`
	Recipient string `json:"recipient"`
	Clause    string `json:"clause,omitempty"`
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	// Runs lists the runs with their permission state ("run (on)").
	Runs     []string `json:"runs"`
	Findings int      `json:"findings"`
	// Evidence is a sample of finding IDs, at most maxGapEvidence.
	Evidence []string `json:"evidence"`
}

// maxGapEvidence bounds the finding IDs listed per gap group.
const maxGapEvidence = 10

// GapSeverity orders gap kinds, most serious first: a disclosure that names
// the wrong collector misleads; a flow handed to another policy escapes the
// one the user read; an omitted flow is undisclosed; an ambiguous one is
// covered only by vague words.
var GapSeverity = []string{"incorrect_entity", "governed_elsewhere", "omitted", "ambiguous"}

func gapRank(kind string) int {
	for i, k := range GapSeverity {
		if k == kind {
			return i
		}
	}
	return len(GapSeverity)
}

// GroupGaps merges the per-run gaps into distinct gaps, most serious first
// (by kind, then by the data type's sensitivity, then by findings).
func (r *Report) GroupGaps() []GapGroup {
	if r.Policy == nil {
		return nil
	}
	perms := map[string]string{}
	for _, run := range r.Runs {
		perms[run.Label] = run.Permissions
	}
	type key struct{ kind, dt, feat, rcpt, clause string }
	idx := map[key]int{}
	var out []GapGroup
	runSeen := map[key]map[string]bool{}
	for _, g := range r.Policy.Gaps {
		if g.Kind == "consistent" {
			continue
		}
		k := key{g.Kind, g.DataType, g.Feature, g.Recipient, g.Clause}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			runSeen[k] = map[string]bool{}
			out = append(out, GapGroup{Kind: g.Kind, DataType: g.DataType, Feature: g.Feature, Recipient: g.Recipient,
				Clause: g.Clause, Policy: r.Policy.Model, Statement: groupStatement(g)})
		}
		gg := &out[i]
		if g.Run != "" && !runSeen[k][g.Run] {
			runSeen[k][g.Run] = true
			p := perms[g.Run]
			if p == "" {
				p = "unknown"
			}
			gg.Runs = append(gg.Runs, g.Run+" ("+p+")")
		}
		gg.Findings += g.FindingCount()
		g.EachFinding(func(id []byte) bool {
			if len(gg.Evidence) >= maxGapEvidence {
				return false
			}
			gg.Evidence = append(gg.Evidence, string(id))
			return true
		})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if ra, rb := gapRank(a.Kind), gapRank(b.Kind); ra != rb {
			return ra < rb
		}
		if sa, sb := Sensitivity(a.DataType), Sensitivity(b.DataType); sa != sb {
			return sa > sb
		}
		if a.Findings != b.Findings {
			return a.Findings > b.Findings
		}
		return a.DataType+a.Feature < b.DataType+b.Feature
	})
	return out
}

// perRunWords matches the per-run part of a gap's first sentence ("in 3
// findings from … (run "x", permissions on).").
var perRunWords = lazyre.New(`^(During .*?) in \d+ findings? .*?\(run ".*?", permissions \w+\)\.\s*`)

// groupStatement drops the per-run wording of a gap's statement: the group
// lists its runs and counts its findings itself.
func groupStatement(g Gap) string {
	return perRunWords.ReplaceAllString(g.Statement, "$1. ")
}

// GapCounts counts distinct gaps by kind.
func GapCounts(groups []GapGroup) map[string]int {
	m := map[string]int{}
	for _, g := range groups {
		m[g.Kind]++
	}
	return m
}
