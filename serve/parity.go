package serve

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/wxaudit/wxaudit/report"
)

// This file keeps a corpus and a report folder alike where their sources
// differ in what they hold: the search hits a store's string index lacks
// (endpoints, finding values) and the grouping of policy gaps.

// moreHits adds to res the hits a report folder's search finds and the
// store's string index does not hold: endpoints and finding values, after
// the decoded values and up to limit, as ReportSource.Search orders them.
func (s *StoreSource) moreHits(ctx context.Context, res *SearchResult, q string, limit int) (*SearchResult, error) {
	needle := strings.ToLower(q)
	add := func(h Hit) bool {
		if len(res.Hits) == limit {
			res.More = true
			return false
		}
		res.Hits = append(res.Hits, h)
		return true
	}
	if !res.More {
		eps, err := s.st.SearchEndpoints(ctx, needle, limit+1-len(res.Hits))
		if err != nil {
			return nil, fmt.Errorf("serve: search: %w", err)
		}
		for _, e := range eps {
			if !add(Hit{Run: e.Run, Request: reqID(e.Run, e.Request), URI: e.URI, Text: e.URI, Where: "endpoint"}) {
				break
			}
		}
	}
	if !res.More {
		fs, err := s.st.SearchFindings(ctx, needle, limit+1-len(res.Hits))
		if err != nil {
			return nil, fmt.Errorf("serve: search: %w", err)
		}
		for _, f := range fs {
			if !add(Hit{Run: f.Run, Request: reqID(f.Run, f.Request), URI: f.URI, Path: f.FieldPath, Name: f.DataType, Text: f.Value, Where: "finding"}) {
				break
			}
		}
	}
	return res, ctx.Err()
}

// groupGaps merges a source's per-run gaps into the report's distinct
// gaps, most serious first (report.GroupGaps), so a corpus and a report
// folder list the same gaps in the same order.
func groupGaps(o *Overview, gaps []report.Gap) []report.GapGroup {
	if o.Policy == "" && len(gaps) == 0 {
		return nil
	}
	r := &report.Report{Runs: o.Runs, Policy: &report.PolicyResult{Model: o.Policy, Gaps: gaps}}
	return r.GroupGaps()
}

// gapData is the gaps page and API: the policy compared with and its
// distinct gaps.
type gapData struct {
	Policy string
	Groups []report.GapGroup
}

// Serious are the gaps a reader must see; Ambiguous those covered only by
// vague wording, listed apart as the report does.
func (g *gapData) Serious() []report.GapGroup   { return g.split(false) }
func (g *gapData) Ambiguous() []report.GapGroup { return g.split(true) }

func (g *gapData) split(ambiguous bool) []report.GapGroup {
	var out []report.GapGroup
	for _, x := range g.Groups {
		if (x.Kind == "ambiguous") == ambiguous {
			out = append(out, x)
		}
	}
	return out
}

// Counts counts the distinct gaps by kind.
func (g *gapData) Counts() map[string]int { return report.GapCounts(g.Groups) }

// loadGaps reads the overview and the grouped gaps; the overview's gap
// count becomes the number of distinct gaps.
func (s *server) loadGaps(ctx context.Context) (*Overview, *gapData, error) {
	o, err := s.src.Overview(ctx)
	if err != nil {
		return nil, nil, err
	}
	gaps, err := s.src.Gaps(ctx)
	if err != nil {
		return nil, nil, err
	}
	d := &gapData{Policy: o.Policy, Groups: groupGaps(o, gaps)}
	o.Gaps = len(d.Groups)
	return o, d, nil
}

// requestNamer is a source whose request IDs are not the report's request
// numbers: a corpus numbers requests per run.
type requestNamer interface {
	requestID(run string, n int) string
}

func (s *StoreSource) requestID(run string, n int) string { return reqID(run, n) }

// requestHref returns the URL of the request a summary names by run and
// number (a Mini Program page visit, a location), on either source.
func requestHref(src Source) func(run string, n int) string {
	if rn, ok := src.(requestNamer); ok {
		return func(run string, n int) string { return "/requests/" + url.PathEscape(rn.requestID(run, n)) }
	}
	return func(_ string, n int) string { return "/requests/" + itoa(n) }
}
