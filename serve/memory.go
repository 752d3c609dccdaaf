package serve

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wxaudit/wxaudit/decode"
	"github.com/wxaudit/wxaudit/filter"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/schemaless"
)

// ReportSource serves one report held in memory: the report's own size
// plus one entry per decoded string for search. Built once, then
// read-only, so it needs no locks.
type ReportSource struct {
	rep      *report.Report
	sum      report.Summary
	title    string
	reqs     []Request // in run and capture order
	byID     map[string]int
	records  []filter.Record
	findings map[string][]int // request ID → indexes into rep.Findings
	fReq     map[string]string
	payload  func(id int) []byte
	reqIdx   []int // reqs[i] is rep.Requests[reqIdx[i]] (or -1 when derived)

	// The search index is built on the first search: listing requests
	// from the command line never pays for decoding every payload.
	strsOnce sync.Once
	strs     []indexed
}

// indexed is one searchable string of a request.
type indexed struct {
	req        int // index into reqs
	path, name string
	text       string
	lower      string
	where      string
}

// NewReportSource indexes r. payload returns the plaintext of the request
// with the given report.Request ID, or nil; a nil func means the report
// carries no payloads (the request view then shows findings only). When r
// has no request list, requests are rebuilt from the findings.
func NewReportSource(r *report.Report, payload func(id int) []byte, title string) *ReportSource {
	s := &ReportSource{rep: r, sum: r.Summarize(), title: title, byID: map[string]int{},
		findings: map[string][]int{}, fReq: map[string]string{}, payload: payload}
	perm := map[string]string{}
	for _, run := range r.Runs {
		perm[run.Label] = run.Permissions
	}
	if len(r.Requests) > 0 {
		for i, q := range r.Requests {
			s.add(Request{ID: strconv.Itoa(q.ID), Run: q.Run, Seq: q.Seq, Time: q.Time, Feature: q.Feature,
				Recipient: q.Recipient, URI: q.URI, ReqType: q.ReqType, Size: q.Size, Permissions: perm[q.Run],
				DataTypes: q.DataTypes}, i)
		}
	} else {
		seen := map[int]bool{}
		for _, f := range r.Findings {
			if seen[f.Request] {
				continue
			}
			seen[f.Request] = true
			s.add(Request{ID: strconv.Itoa(f.Request), Run: f.Run, Time: f.Time, Feature: f.Feature,
				Recipient: f.Recipient, URI: f.URI, ReqType: f.ReqType, Permissions: perm[f.Run]}, -1)
		}
		s.sortDerived()
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		id := strconv.Itoa(f.Request)
		s.findings[id] = append(s.findings[id], i)
		s.fReq[f.ID] = id
		if j, ok := s.byID[id]; ok {
			q := &s.reqs[j]
			if !has(q.DataTypes, f.DataType) {
				q.DataTypes = append(q.DataTypes, f.DataType)
			}
			if f.AppID != "" && !has(q.AppIDs, f.AppID) {
				q.AppIDs = append(q.AppIDs, f.AppID)
			}
		}
	}
	s.records = make([]filter.Record, len(s.reqs))
	for i := range s.reqs {
		s.records[i] = recordOf(&s.reqs[i])
	}
	return s
}

func (s *ReportSource) add(q Request, idx int) {
	s.byID[q.ID] = len(s.reqs)
	s.reqs = append(s.reqs, q)
	s.reqIdx = append(s.reqIdx, idx)
}

// sortDerived orders requests rebuilt from findings by run, then ID, and
// numbers them within their run.
func (s *ReportSource) sortDerived() {
	order := map[string]int{}
	for i, run := range s.rep.Runs {
		order[run.Label] = i
	}
	sort.SliceStable(s.reqs, func(i, j int) bool {
		a, b := s.reqs[i], s.reqs[j]
		if order[a.Run] != order[b.Run] {
			return order[a.Run] < order[b.Run]
		}
		x, _ := strconv.Atoi(a.ID)
		y, _ := strconv.Atoi(b.ID)
		return x < y
	})
	seq := map[string]int{}
	for i := range s.reqs {
		seq[s.reqs[i].Run]++
		s.reqs[i].Seq = seq[s.reqs[i].Run]
		s.byID[s.reqs[i].ID] = i
	}
}

func recordOf(q *Request) filter.Record {
	r := filter.Record{Run: q.Run, Feature: q.Feature, Endpoint: q.Endpoint(), Recipient: q.Recipient,
		Permissions: q.Permissions, ReqType: q.ReqType, DataTypes: q.DataTypes, AppIDs: q.AppIDs}
	if t, err := time.Parse(time.RFC3339Nano, q.Time); err == nil {
		r.Time = t
	}
	return r
}

// indexStrings decodes every payload once and keeps its string values for
// search: a linear scan over them answers in milliseconds for one report.
func (s *ReportSource) indexStrings() {
	dec := decode.NewDecoder(decode.Options{})
	for i := range s.reqs {
		q := &s.reqs[i]
		if q.URI != "" {
			s.strs = append(s.strs, indexed{req: i, text: q.URI, lower: strings.ToLower(q.URI), where: "endpoint"})
		}
		if p := s.payloadOf(i); len(p) > 0 {
			rec := decodeRequest(dec, q, p)
			if rec.Tree != nil {
				for l := range rec.Tree.Leaves() {
					if l.Kind != schemaless.KindString && l.Kind != schemaless.KindURLEncoded || l.Text == "" {
						continue
					}
					s.strs = append(s.strs, indexed{req: i, path: l.Path, name: l.Name, text: l.Text,
						lower: strings.ToLower(l.Text), where: "value"})
				}
			}
		}
	}
}

func (s *ReportSource) payloadOf(i int) []byte {
	if s.payload == nil {
		return nil
	}
	id, err := strconv.Atoi(s.reqs[i].ID)
	if err != nil {
		return nil
	}
	return s.payload(id)
}

// Overview implements Source.
func (s *ReportSource) Overview(ctx context.Context) (*Overview, error) {
	o := &Overview{Title: s.title, Runs: s.rep.Runs, Claims: s.rep.Claims, DataTypes: s.rep.DataTypes(""),
		Counts: map[string]map[string]int{}}
	for _, rs := range s.sum.Runs {
		o.Counts[rs.Run] = rs.DataTypes
	}
	if s.rep.Policy != nil {
		o.Policy = s.rep.Policy.Model
		if s.rep.Policy.Title != "" {
			o.Policy = s.rep.Policy.Title
		}
		o.Gaps = len(s.rep.Policy.Gaps)
	}
	return o, nil
}

// Requests implements Source.
func (s *ReportSource) Requests(ctx context.Context, q Query) (*RequestPage, error) {
	limit := clampLimit(q.Limit)
	p := &RequestPage{Offset: max(q.Offset, 0), Limit: limit, Requests: []Request{}}
	if q.Sort != "" {
		var idx []int
		for i := range s.reqs {
			if q.Where.Match(&s.records[i]) {
				idx = append(idx, i)
			}
		}
		sortRequests(s.reqs, idx, q.Sort)
		p.Total = len(idx)
		for _, i := range idx[min(p.Offset, len(idx)):min(p.Offset+limit, len(idx))] {
			p.Requests = append(p.Requests, s.reqs[i])
		}
		return p, nil
	}
	for i := range s.reqs {
		if !q.Where.Match(&s.records[i]) {
			continue
		}
		if p.Total >= p.Offset && len(p.Requests) < limit {
			p.Requests = append(p.Requests, s.reqs[i])
		}
		p.Total++
	}
	return p, nil
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}

// Request implements Source.
func (s *ReportSource) Request(ctx context.Context, id string) (*RequestDetail, error) {
	i, ok := s.byID[id]
	if !ok {
		return nil, ErrNotFound
	}
	d := &RequestDetail{Request: s.reqs[i], Payload: s.payloadOf(i)}
	for _, fi := range s.findings[id] {
		d.Findings = append(d.Findings, s.rep.Findings[fi])
	}
	if i > 0 && s.reqs[i-1].Run == d.Run {
		d.Prev = s.reqs[i-1].ID
	}
	if i+1 < len(s.reqs) && s.reqs[i+1].Run == d.Run {
		d.Next = s.reqs[i+1].ID
	}
	return d, nil
}

// FindingRequest implements Source.
func (s *ReportSource) FindingRequest(ctx context.Context, run, fid string) (string, error) {
	if id, ok := s.fReq[fid]; ok {
		return id, nil
	}
	return "", ErrNotFound
}

// Gaps implements Source.
func (s *ReportSource) Gaps(ctx context.Context) ([]report.Gap, error) {
	if s.rep.Policy == nil {
		return nil, nil
	}
	return s.rep.Policy.Gaps, nil
}

// MiniPrograms implements Source.
func (s *ReportSource) MiniPrograms(ctx context.Context) ([]report.MiniProgram, error) {
	return s.sum.MiniPrograms, nil
}

// Locations implements Source.
func (s *ReportSource) Locations(ctx context.Context) ([]report.Location, error) {
	return s.sum.Locations, nil
}

// Search implements Source. Matching is a case-insensitive substring test,
// which is what a Chinese word inside a longer string needs.
func (s *ReportSource) Search(ctx context.Context, q string, limit int) (*SearchResult, error) {
	res := &SearchResult{Query: q, Hits: []Hit{}}
	needle := strings.ToLower(strings.TrimSpace(q))
	if needle == "" {
		return res, nil
	}
	s.strsOnce.Do(s.indexStrings)
	limit = clampLimit(limit)
	for i := range s.strs {
		x := &s.strs[i]
		if !strings.Contains(x.lower, needle) {
			continue
		}
		if len(res.Hits) == limit {
			res.More = true
			break
		}
		q := &s.reqs[x.req]
		res.Hits = append(res.Hits, Hit{Request: q.ID, Run: q.Run, URI: q.Endpoint(), Path: x.path, Name: x.name, Text: x.text, Where: x.where})
	}
	if !res.More {
		for _, f := range s.rep.Findings {
			if len(res.Hits) == limit {
				res.More = true
				break
			}
			if strings.Contains(strings.ToLower(f.Evidence.Value), needle) {
				res.Hits = append(res.Hits, Hit{Request: strconv.Itoa(f.Request), Run: f.Run, URI: f.URI,
					Path: f.Evidence.FieldPath, Name: f.DataType, Text: f.Evidence.Value, Where: "finding"})
			}
		}
	}
	return res, ctx.Err()
}

// Identifying implements Source.
func (s *ReportSource) Identifying(ctx context.Context) (*report.Report, error) { return s.rep, nil }

// Diff implements Source.
func (s *ReportSource) Diff(ctx context.Context, a, b string) (*report.DiffResult, error) {
	if !s.hasRun(a) || !s.hasRun(b) {
		return nil, ErrNotFound
	}
	d := report.Diff(s.rep.Only(a), s.rep.Only(b), a, b)
	return &d, nil
}

func (s *ReportSource) hasRun(label string) bool {
	for _, r := range s.rep.Runs {
		if r.Label == label {
			return true
		}
	}
	return false
}

func has(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
