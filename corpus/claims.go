package corpus

import (
	"context"
	"encoding/json"
	"path/filepath"

	"github.com/wxaudit/wxaudit/claims"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/store"
)

// ClaimsFile is the corpus's claims: the study's answers over every run,
// and each run's own, computed by the same claims.Tally analyze uses, fed
// from the store in each run's request order. They say only counts,
// appids, page paths (without queries), run labels and the policy's
// words: no value of a payload's personal data.
const ClaimsFile = report.ClaimsFile

// ClaimsDoc is the shape of the corpus's claims.json.
type ClaimsDoc struct {
	Study struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	} `json:"study"`
	// Claims are the answers over every run that was analysed.
	Claims []report.Claim `json:"claims"`
	// Runs holds each run's own answers, by label.
	Runs map[string][]report.Claim `json:"runs"`
}

// ComputeClaims replays the store through claims tallies: one over the
// whole corpus, one per run. Its memory is the tallies' (bounded by
// distinct features, runs, data types and Mini Programs), one run's policy
// gaps at a time, and the corpus's gaps as gapGroups keeps them.
func ComputeClaims(ctx context.Context, st *store.Store, opts Options) (*ClaimsDoc, error) {
	runs, err := st.Runs(ctx)
	if err != nil {
		return nil, err
	}
	copts := claims.Options{Needs: opts.Analyze.Needs}
	all := claims.NewTally(copts)
	head := &report.Report{Policy: policyHead(opts)}
	var groups gapGroups
	doc := &ClaimsDoc{Runs: map[string][]report.Claim{}}
	doc.Study.Title, doc.Study.URL = report.StudyTitle, report.StudyURL
	for _, r := range runs {
		if r.Status != store.StatusOK {
			continue
		}
		run := report.Run{Label: r.Run, Source: r.Source, Permissions: r.Permissions, Requests: r.Requests,
			Extends: r.Extends, SkipLines: r.SkipLines, Lines: r.Lines}
		one := claims.NewTally(copts)
		err := st.Replay(ctx, r.Run, func(q *report.Request, fs []report.Finding) error {
			all.Add(q, fs)
			one.Add(q, fs)
			return nil
		})
		if err != nil {
			return nil, err
		}
		own := &report.Report{Runs: []report.Run{run}, Policy: policyHead(opts)}
		if own.Policy != nil {
			if own.Policy.Gaps, err = runGaps(ctx, st, r.Run); err != nil {
				return nil, err
			}
			groups.add(own.Policy.Gaps)
		}
		doc.Runs[r.Run] = one.Claims(own)
		head.Runs = append(head.Runs, run)
	}
	if head.Policy != nil {
		head.Policy.Gaps = groups.gaps
	}
	doc.Claims = all.Claims(head)
	return doc, nil
}

// gapGroups keeps the corpus's policy gaps as few as the claims need
// (report.GroupGaps: per kind, data type, feature, recipient and clause,
// the first gap, the first finding IDs, and the count of findings), so
// that memory does not grow with the runs: per group, its first gap with
// its first maxGroupEvidence finding IDs, then a gap without a run whose
// finding IDs are empty strings standing for the rest (a slice of one
// shared array).
type gapGroups struct {
	gaps  []report.Gap
	index map[[5]string]int // group → its first gap in gaps; the count gap follows
	blank []string
}

// maxGroupEvidence is at least report's maxGapEvidence, the finding IDs a
// group lists.
const maxGroupEvidence = 16

func (g *gapGroups) add(gaps []report.Gap) {
	if g.index == nil {
		g.index = map[[5]string]int{}
	}
	for _, gap := range gaps {
		if gap.Kind == "consistent" {
			continue
		}
		k := [5]string{gap.Kind, gap.DataType, gap.Feature, gap.Recipient, gap.Clause}
		i, ok := g.index[k]
		if !ok {
			i = len(g.gaps)
			g.index[k] = i
			first := gap
			first.Findings = nil
			g.gaps = append(g.gaps, first, report.Gap{Kind: gap.Kind, DataType: gap.DataType, Feature: gap.Feature,
				Recipient: gap.Recipient, Clause: gap.Clause})
		}
		ids := gap.Findings
		if room := maxGroupEvidence - len(g.gaps[i].Findings); room > 0 && len(g.gaps[i+1].Findings) == 0 {
			n := min(room, len(ids))
			g.gaps[i].Findings = append(g.gaps[i].Findings, ids[:n]...)
			ids = ids[n:]
		}
		rest := len(g.gaps[i+1].Findings) + len(ids)
		if rest > len(g.blank) {
			g.blank = make([]string, 2*rest)
		}
		g.gaps[i+1].Findings = g.blank[:rest]
	}
}

func policyHead(opts Options) *report.PolicyResult {
	m := opts.Analyze.Policy
	if m == nil {
		return nil
	}
	return &report.PolicyResult{Model: m.Name, Title: m.Title, Version: m.Version}
}

// runGaps reads every policy gap of one run, a page at a time.
func runGaps(ctx context.Context, st *store.Store, run string) ([]report.Gap, error) {
	var out []report.Gap
	for off := 0; ; off += store.MaxLimit {
		gs, total, err := st.Gaps(ctx, store.GapFilter{Run: run, Page: store.Page{Offset: off, Limit: store.MaxLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, gs...)
		if len(gs) == 0 || off+len(gs) >= total {
			return out, nil
		}
	}
}

// writeClaims writes claims.json into the corpus folder.
func writeClaims(out string, doc *ClaimsDoc) error {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(out, ClaimsFile), append(b, '\n'))
}
