// Package claims states the study's answers from a report: for each claim a
// sentence a journalist can quote, a verdict (supported, contradicted or
// not_testable, with why), whether that verdict is bad news for privacy,
// the exceptions either way, the numbers behind it and sample evidence
// (finding IDs). Five claims test the findings of Citizen Lab's "Should We
// Chat?" (2023), one each; two are wxaudit's own. doc/claims.md defines
// every claim, every number's unit and every verdict's rule; a test keeps
// it and this package in step.
//
// There is one computation: a Tally counts requests given one at a time
// (analyze streams them; corpus replays its store), and Claims states the
// claims from the counts. Compute runs a whole report.Report through the
// same Tally.
package claims

import (
	"github.com/wxaudit/wxaudit/report"
)

// Claim IDs, in the order a report states them: the study's five findings,
// then wxaudit's own questions.
const (
	CoreFeaturesNeed           = "core_features_need"
	MiniProgramTracking        = "miniprogram_tracking"
	LocationWithPermission     = "location_with_permission"
	PolicyMiniProgramCollector = "policy_miniprogram_collector"
	WeixinGovernedFeatures     = "weixin_governed_features"
	MetadataInRequests         = "metadata_in_requests"
	PolicyGaps                 = "policy_gaps"
)

// IDs lists the claim IDs in report order.
var IDs = []string{CoreFeaturesNeed, MiniProgramTracking, LocationWithPermission, PolicyMiniProgramCollector,
	WeixinGovernedFeatures, MetadataInRequests, PolicyGaps}

// Options configure Compute.
type Options struct {
	// Needs is the necessity model; nil uses DefaultNeeds.
	Needs *Needs
}

// maxEvidence bounds the finding IDs a claim lists.
const maxEvidence = 20

// Compute states every claim for r, through the same Tally analyze uses.
func Compute(r *report.Report, opts Options) []report.Claim {
	t := NewTally(opts)
	byRequest := map[string]map[int][]report.Finding{}
	for _, f := range r.Findings {
		m := byRequest[f.Run]
		if m == nil {
			m = map[int][]report.Finding{}
			byRequest[f.Run] = m
		}
		m[f.Request] = append(m[f.Request], f)
	}
	for i := range r.Requests {
		q := &r.Requests[i]
		t.Add(q, byRequest[q.Run][q.ID])
	}
	return t.Claims(r)
}

// Tally accumulates what the claims need, a request at a time. It holds
// counts, small sets and sample finding IDs: its memory is bounded by the
// distinct features, runs, data types, Mini Programs and their sessions
// and pages, not by the requests.
type Tally struct {
	needs *Needs
	runs  runTally
	core  coreTally
	meta  metaTally
	mp    mpTally
	loc   locTally
}

// NewTally returns an empty Tally.
func NewTally(opts Options) *Tally {
	needs := opts.Needs
	if needs == nil {
		needs = DefaultNeeds()
	}
	return &Tally{needs: needs, runs: newRunTally(), core: newCoreTally(needs), meta: newMetaTally(), mp: newMPTally(),
		loc: locTally{runTypes: map[string]map[string]*typeTally{}, requests: map[string]int{}}}
}

// Add counts one request with its findings (those whose Request is q.ID in
// q's run). Requests must come in each run's order.
func (t *Tally) Add(q *report.Request, fs []report.Finding) {
	t.runs.add(q, fs)
	t.core.add(q, fs)
	t.meta.add(q, fs)
	t.loc.request(q, fs)
	t.mp.addRequest(fs)
	for i := range fs {
		t.loc.add(&fs[i])
	}
}

// Claims states the claims from what was counted; head supplies the runs
// and the policy comparison (its requests and findings are not read).
func (t *Tally) Claims(head *report.Report) []report.Claim {
	runs := t.runs.describe(head.Runs)
	mp := t.mp.claim(head.Runs, &t.runs)
	cs := []report.Claim{
		t.core.claim(t.needs),
		mp,
		t.loc.claim(runs, &t.runs),
		policyMiniProgramCollector(head, &t.mp),
		weixinGoverned(head, &t.core),
		t.meta.claim(),
		policyGaps(head),
	}
	for i := range cs {
		if cs[i].Exceptions == nil {
			cs[i].Exceptions = []string{}
		}
		if cs[i].Evidence == nil {
			cs[i].Evidence = []string{}
		}
		if cs[i].Numbers == nil {
			cs[i].Numbers = map[string]any{}
		}
	}
	return cs
}

// Runs returns head's runs with what the Tally learnt of each: its app
// starts and Mini Program sessions, and whether it spans more than one
// experiment. analyze writes them into runs.json.
func (t *Tally) Runs(runs []report.Run) []report.Run {
	out := make([]report.Run, len(runs))
	for i, r := range runs {
		d := t.runs.describeOne(r)
		r.AppStarts, r.MPSessions, r.SeveralExperiments = d.AppStarts, d.MPSessions, d.SeveralExperiments
		out[i] = r
	}
	return out
}

// evidence collects finding IDs, deduplicated and bounded.
type evidence struct {
	ids  []string
	seen map[string]bool
}

func (e *evidence) add(id string) {
	if id == "" || len(e.ids) >= maxEvidence {
		return
	}
	if e.seen == nil {
		e.seen = map[string]bool{}
	}
	if !e.seen[id] {
		e.seen[id] = true
		e.ids = append(e.ids, id)
	}
}

func (e *evidence) list() []string {
	if e.ids == nil {
		return []string{}
	}
	return e.ids
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(int(float64(n)/float64(of)*10000+0.5)) / 10000
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
