// Package claims states the study's answers from a report: for each claim a
// sentence a journalist can quote, a verdict (supported, contradicted or
// not_testable, with why), the numbers behind it and sample evidence
// (finding IDs). The claims are those of Citizen Lab's "Should We Chat?"
// (2023): core features send what they need and little more; WeChat itself
// receives Mini Program usage; granting a permission enables more data
// (location) to flow; identifiers ride on the requests; the privacy policy
// leaves flows undisclosed or misattributed.
//
// Compute is pure: it reads a finished report.Report (findings, requests,
// runs, policy gaps) and returns claims; it never changes the report. A
// Tally states the same claims from requests given one at a time, for an
// analysis that streams its findings to disk.
package claims

import (
	"github.com/wxaudit/wxaudit/report"
)

// Claim IDs, in the order a report states them.
const (
	CoreFeaturesNeed       = "core_features_need"
	MiniProgramTracking    = "miniprogram_tracking"
	LocationWithPermission = "location_with_permission"
	MetadataInRequests     = "metadata_in_requests"
	PolicyGaps             = "policy_gaps"
)

// Options configure Compute.
type Options struct {
	// Needs is the necessity model; nil uses DefaultNeeds.
	Needs *Needs
}

// maxEvidence bounds the finding IDs a claim lists.
const maxEvidence = 20

// Compute states every claim for r.
func Compute(r *report.Report, opts Options) []report.Claim {
	t := NewTally(opts)
	byRequest := map[int][]report.Finding{}
	for _, f := range r.Findings {
		byRequest[f.Request] = append(byRequest[f.Request], f)
	}
	for i := range r.Requests {
		t.request(&r.Requests[i], byRequest[r.Requests[i].ID])
	}
	for i := range r.Findings {
		t.finding(&r.Findings[i])
	}
	return t.Claims(r)
}

// Tally accumulates what the claims need, a request at a time, so that
// an analysis streaming its findings to disk states the same claims as
// Compute over the whole report. It holds counts and sample finding IDs:
// its memory is bounded by the distinct features, runs, data types and
// Mini Programs, not by the requests.
type Tally struct {
	needs *Needs
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
	return &Tally{needs: needs, core: newCoreTally(needs), meta: newMetaTally(), mp: newMPTally(), loc: locTally{runTypes: map[string]map[string]*typeTally{}}}
}

// Add counts one request with its findings (those whose Request is q.ID).
func (t *Tally) Add(q *report.Request, fs []report.Finding) {
	t.request(q, fs)
	for i := range fs {
		t.finding(&fs[i])
	}
}

// request counts what the claims read per request.
func (t *Tally) request(q *report.Request, fs []report.Finding) {
	t.core.add(q, fs)
	t.meta.add(q, fs)
}

// finding counts what the claims read per finding, in report order.
func (t *Tally) finding(f *report.Finding) {
	t.mp.add(f)
	t.loc.add(f)
}

// Claims states the claims from what was counted; head supplies the runs
// and the policy comparison (its requests and findings are not read).
func (t *Tally) Claims(head *report.Report) []report.Claim {
	cs := []report.Claim{
		t.core.claim(t.needs),
		t.mp.claim(head.Runs),
		t.loc.claim(head.Runs),
		t.meta.claim(),
		policyGaps(head),
	}
	for i := range cs {
		cs[i].ConcernIf = report.Supported
	}
	cs[0].ConcernIf = report.Contradicted // core features: worded as a reassurance
	return cs
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
