package claims

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wxaudit/wxaudit/policy"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// coreFeaturesNeed compares what each core feature sent with what it needs.
// Low-confidence findings are left out: a claim about excess must not rest
// on guesses. The verdict is contradicted when any core feature sent a
// highly sensitive type beyond its needs; technical types beyond need
// (a locale, a network type) are listed but do not contradict "not
// significantly more".
type coreFeature struct {
	beyond      map[string]int    // data type → findings beyond need
	sent        map[string]string // data type → its first finding
	beyondFirst map[string]string // data type → its first finding beyond need
}

// coreTally counts, per feature, the requests and, for core features,
// what they sent.
type coreTally struct {
	requests map[string]int // feature → requests
	core     map[string]*coreFeature
	needs    *Needs
}

func newCoreTally(needs *Needs) coreTally {
	t := coreTally{requests: map[string]int{}, core: map[string]*coreFeature{}, needs: needs}
	for _, feat := range needs.Core() {
		t.core[feat] = &coreFeature{beyond: map[string]int{}, sent: map[string]string{}, beyondFirst: map[string]string{}}
	}
	return t
}

func (t *coreTally) add(q *report.Request, fs []report.Finding) {
	t.requests[q.Feature]++
	cf := t.core[q.Feature]
	if cf == nil {
		return
	}
	for i := range fs {
		f := &fs[i]
		if f.Confidence == string(taxonomy.Low) {
			continue
		}
		if _, ok := cf.sent[f.DataType]; !ok {
			cf.sent[f.DataType] = f.ID
		}
		if _, ok := t.needs.Needed(q.Feature, f.DataType); !ok {
			cf.beyond[f.DataType]++
			if _, ok := cf.beyondFirst[f.DataType]; !ok {
				cf.beyondFirst[f.DataType] = f.ID
			}
		}
	}
}

func (t *coreTally) claim(needs *Needs) report.Claim {
	c := report.Claim{ID: CoreFeaturesNeed, Title: "Core features send what they need, and not significantly more"}
	core := needs.Core()
	type featureNumbers struct {
		Requests   int            `json:"requests"`
		Sent       []string       `json:"sent"`
		BeyondNeed map[string]int `json:"beyond_need"`
	}
	perFeature := map[string]*featureNumbers{}
	var observed []string
	var ev evidence
	var sensitive []string // "type during feature"
	var excess []string
	for _, feat := range core {
		if t.requests[feat] == 0 {
			continue
		}
		observed = append(observed, feat)
		cf := t.core[feat]
		fn := &featureNumbers{Requests: t.requests[feat], BeyondNeed: cf.beyond}
		perFeature[feat] = fn
		if len(cf.sent) > 0 {
			fn.Sent = sortedKeys(cf.sent)
		}
		// Evidence: what was beyond need first, else one finding of what
		// the feature sent.
		for _, dt := range sortedKeys(fn.BeyondNeed) {
			ev.add(cf.beyondFirst[dt])
			phrase := fmt.Sprintf("%s during %s (%d)", policy.DataTypePhrase(dt), featureName(feat), fn.BeyondNeed[dt])
			if report.Sensitivity(dt) == report.SensitivityHigh {
				sensitive = append(sensitive, phrase)
			} else {
				excess = append(excess, phrase)
			}
		}
		if len(fn.BeyondNeed) == 0 {
			for _, dt := range fn.Sent {
				ev.add(cf.sent[dt])
				break
			}
		}
	}
	c.Numbers = map[string]any{"core_features": core, "observed": observed, "features": perFeature}
	c.Evidence = ev.list()
	switch {
	case len(observed) == 0:
		c.Verdict = report.NotTestable
		c.Statement = "No core feature was used in these runs, so whether core features send more than they need cannot be said."
		c.Why = "no request was attributed to a core feature (" + strings.Join(core, ", ") + ")"
	case len(sensitive) > 0:
		c.Verdict = report.Contradicted
		c.Statement = "During core features WeChat sent sensitive data beyond what the feature needs: " + strings.Join(sensitive, "; ") + "."
		c.Why = "a highly sensitive data type was sent during a core feature that does not need it (necessity model: claims/needs.yaml)"
	default:
		c.Verdict = report.Supported
		names := make([]string, len(observed))
		for i, f := range observed {
			names[i] = featureName(f)
		}
		s := "During " + joinAnd(names) + ", WeChat's requests carried the data each feature needs and not significantly more"
		if len(excess) > 0 {
			s += "; beyond the needs only technical or low-risk data was sent: " + strings.Join(excess, "; ")
		}
		c.Statement = s + "."
		c.Why = "no highly sensitive data type was sent during a core feature beyond what it needs (necessity model: claims/needs.yaml); high- and medium-confidence findings only"
	}
	return c
}

func featureName(f string) string {
	switch f {
	case "moments":
		return "Moments"
	case "miniprograms":
		return "Mini Programs"
	case "channels":
		return "Channels"
	case "search":
		return "Search"
	}
	return f
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
