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
// runs, policy gaps) and returns claims; it never changes the report.
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
	needs := opts.Needs
	if needs == nil {
		needs = DefaultNeeds()
	}
	ix := newIndex(r)
	return []report.Claim{
		coreFeaturesNeed(ix, needs),
		miniprogramTracking(ix),
		locationWithPermission(ix),
		metadataInRequests(ix),
		policyGaps(r),
	}
}

// index holds the views of a report the claims share.
type index struct {
	r *report.Report
	// byRequest lists the findings of each request (by Request.ID).
	byRequest map[int][]*report.Finding
	// runTypes is the set of data types seen per run.
	runTypes map[string]map[string][]*report.Finding
}

func newIndex(r *report.Report) *index {
	ix := &index{r: r, byRequest: map[int][]*report.Finding{}, runTypes: map[string]map[string][]*report.Finding{}}
	for i := range r.Findings {
		f := &r.Findings[i]
		ix.byRequest[f.Request] = append(ix.byRequest[f.Request], f)
		m := ix.runTypes[f.Run]
		if m == nil {
			m = map[string][]*report.Finding{}
			ix.runTypes[f.Run] = m
		}
		m[f.DataType] = append(m[f.DataType], f)
	}
	return ix
}

// evidence collects finding IDs, deduplicated and bounded.
type evidence struct {
	ids  []string
	seen map[string]bool
}

func (e *evidence) add(f *report.Finding) {
	if f == nil || len(e.ids) >= maxEvidence {
		return
	}
	if e.seen == nil {
		e.seen = map[string]bool{}
	}
	if !e.seen[f.ID] {
		e.seen[f.ID] = true
		e.ids = append(e.ids, f.ID)
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
