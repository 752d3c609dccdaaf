package claims

import (
	"fmt"
	"strings"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// core_features_need tests the study's finding 1: during core features
// (messaging, Moments, ...) requests carry what the feature needs "and not
// significantly more". One incidental value must not decide it, so the
// rule weighs how much and how sensitive (doc/claims.md):
//   - a data type is beyond need when the necessity model (needs.yaml)
//     lists it neither for the feature nor for every request; low-
//     confidence findings are left out;
//   - its weight is the number of the feature's requests carrying it;
//   - it is significant when it is highly sensitive and rides on at
//     least minExcessRequests requests and at least minExcessShare of the
//     feature's requests;
//   - contradicted needs one significant type; supported needs a core
//     feature with at least minCoreRequests requests; every type beyond
//     need is listed as an exception whatever the verdict.
const (
	minExcessRequests = 3
	minExcessShare    = 0.10
	minCoreRequests   = 5
)

type coreFeature struct {
	requests    int
	sent        map[string]string // data type → its first finding
	beyond      map[string]int    // data type → requests carrying it beyond need
	beyondFirst map[string]string // data type → its first finding beyond need
}

// coreTally counts, per core feature, its requests and what they sent.
type coreTally struct {
	requests map[string]int // every feature → requests
	personal map[string]int // every feature → requests carrying personal data
	core     map[string]*coreFeature
	needs    *Needs
}

func newCoreTally(needs *Needs) coreTally {
	t := coreTally{requests: map[string]int{}, personal: map[string]int{}, core: map[string]*coreFeature{}, needs: needs}
	for _, feat := range needs.Core() {
		t.core[feat] = &coreFeature{beyond: map[string]int{}, sent: map[string]string{}, beyondFirst: map[string]string{}}
	}
	return t
}

func (t *coreTally) add(q *report.Request, fs []report.Finding) {
	t.requests[q.Feature]++
	if len(fs) > 0 {
		t.personal[q.Feature]++
	}
	cf := t.core[q.Feature]
	if cf == nil {
		return
	}
	cf.requests++
	counted := map[string]bool{}
	for i := range fs {
		f := &fs[i]
		if f.Confidence == string(taxonomy.Low) {
			continue
		}
		if _, ok := cf.sent[f.DataType]; !ok {
			cf.sent[f.DataType] = f.ID
		}
		if _, ok := t.needs.Needed(q.Feature, f.DataType); ok || counted[f.DataType] {
			continue
		}
		counted[f.DataType] = true
		cf.beyond[f.DataType]++
		if _, ok := cf.beyondFirst[f.DataType]; !ok {
			cf.beyondFirst[f.DataType] = f.ID
		}
	}
}

// excess is one data type sent beyond a core feature's needs.
type excess struct {
	Feature     string  `json:"feature"`
	DataType    string  `json:"data_type"`
	Requests    int     `json:"requests"`
	Of          int     `json:"of_requests"`
	Sensitivity string  `json:"sensitivity"`
	Significant bool    `json:"significant"`
	Share       float64 `json:"share"`
}

func (e excess) phrase() string {
	return fmt.Sprintf("%s during %s (%d of %d requests, %s sensitivity)", taxonomy.DataTypePhrase(e.DataType),
		taxonomy.FeaturePhrase(e.Feature), e.Requests, e.Of, e.Sensitivity)
}

func (t *coreTally) claim(needs *Needs) report.Claim {
	c := report.Claim{ID: CoreFeaturesNeed, Source: report.SourceStudy,
		Title:         "Core features send what they need, and not significantly more",
		StudySentence: "During usage of core WeChat features, such as Messaging or Moments, network requests generally contained data that was necessary for the function of the application, and not significantly more."}
	core := needs.Core()
	type featureNumbers struct {
		Requests   int            `json:"requests"`
		Sent       []string       `json:"sent"`
		BeyondNeed map[string]int `json:"beyond_need"`
	}
	perFeature := map[string]*featureNumbers{}
	var observed, enough []string
	var ev evidence
	var significant, minor []excess
	for _, feat := range core {
		cf := t.core[feat]
		if cf.requests == 0 {
			continue
		}
		observed = append(observed, feat)
		if cf.requests >= minCoreRequests {
			enough = append(enough, feat)
		}
		perFeature[feat] = &featureNumbers{Requests: cf.requests, Sent: sortedKeys(cf.sent), BeyondNeed: cf.beyond}
		for _, dt := range sortedKeys(cf.beyond) {
			e := excess{Feature: feat, DataType: dt, Requests: cf.beyond[dt], Of: cf.requests,
				Sensitivity: report.SensitivityName(report.Sensitivity(dt)), Share: share(cf.beyond[dt], cf.requests)}
			e.Significant = report.Sensitivity(dt) == report.SensitivityHigh && e.Requests >= minExcessRequests &&
				float64(e.Requests) >= minExcessShare*float64(cf.requests)
			if e.Significant {
				significant = append(significant, e)
			} else {
				minor = append(minor, e)
			}
			ev.add(cf.beyondFirst[dt])
		}
		if len(cf.beyond) == 0 {
			for _, dt := range perFeature[feat].Sent {
				ev.add(cf.sent[dt])
				break
			}
		}
	}
	all := append(append([]excess{}, significant...), minor...)
	c.Numbers = map[string]any{"core_features": core, "observed": nonNil(observed), "features": perFeature,
		"beyond_need": all, "min_excess_requests": minExcessRequests, "min_excess_share": minExcessShare,
		"min_core_requests": minCoreRequests}
	c.Evidence = ev.list()
	for _, e := range minor {
		c.Exceptions = append(c.Exceptions, "beyond need, below the threshold: "+e.phrase())
	}
	names := make([]string, len(observed))
	for i, f := range observed {
		names[i] = taxonomy.FeaturePhrase(f)
	}
	switch {
	case len(significant) > 0:
		c.Verdict, c.Concern = report.Contradicted, true
		phrases := make([]string, len(significant))
		for i, e := range significant {
			phrases[i] = e.phrase()
		}
		c.Statement = "During core features WeChat's requests repeatedly carried sensitive data beyond what the feature needs: " + strings.Join(phrases, "; ") + "."
		c.Why = fmt.Sprintf("a highly sensitive data type beyond the feature's needs (necessity model: claims/needs.yaml) rode on at least %d requests and %.0f%% of the feature's requests; high- and medium-confidence findings only", minExcessRequests, minExcessShare*100)
	case len(enough) > 0:
		c.Verdict = report.Supported
		s := "During " + joinAnd(names) + ", WeChat's requests carried the data each feature needs and not significantly more"
		if len(minor) > 0 {
			s += fmt.Sprintf(" (%d data type%s beyond the needs, each incidental or of low sensitivity: see the exceptions)", len(minor), plural(len(minor)))
		}
		c.Statement = s + "."
		c.Why = fmt.Sprintf("no highly sensitive data type beyond the feature's needs rode on %d or more requests and %.0f%% of a core feature's requests (necessity model: claims/needs.yaml); high- and medium-confidence findings only", minExcessRequests, minExcessShare*100)
		if len(enough) < len(observed) {
			c.Next = "use the other core features longer: some were seen in fewer than 5 requests"
		}
	case len(observed) > 0:
		c.Verdict = report.NotTestable
		c.Statement = fmt.Sprintf("Core features were used too little to say whether they send more than they need (%s: fewer than %d requests each).", joinAnd(names), minCoreRequests)
		c.Why = fmt.Sprintf("the rule needs at least one core feature with %d or more requests", minCoreRequests)
		c.Next = "capture a run that uses messaging or Moments for a few minutes"
	default:
		c.Verdict = report.NotTestable
		c.Statement = "No core feature was used in these runs, so whether core features send more than they need cannot be said."
		c.Why = "no request was attributed to a core feature (" + strings.Join(core, ", ") + ")"
		c.Next = "capture a run that sends messages or posts to Moments"
	}
	return c
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
