package report

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// Summarize computes summary.json from the report.
func (r *Report) Summarize() Summary {
	z := newSummarizer(r.Runs)
	for i := range r.Requests {
		z.request(&r.Requests[i])
	}
	z.findings(r.Findings)
	return z.summary()
}

// summarizer computes summary.json a request at a time; it holds counts,
// the Mini Programs' pages and the locations, not the findings.
type summarizer struct {
	runs      []Run
	byRun     map[string]*RunSummary
	mps       map[string]*MiniProgram
	locations []Location
}

func newSummarizer(runs []Run) *summarizer {
	z := &summarizer{runs: runs, byRun: map[string]*RunSummary{}, mps: map[string]*MiniProgram{}}
	for _, run := range runs {
		z.byRun[run.Label] = &RunSummary{Run: run.Label, Permissions: run.Permissions, Requests: run.Requests,
			DataTypes: map[string]int{}, Features: map[string]map[string]int{}, ReqTypes: map[string]int{}}
	}
	return z
}

func (z *summarizer) request(q *Request) {
	if rs := z.byRun[q.Run]; rs != nil {
		rs.ReqTypes[reqKey(q.URI, q.ReqType)]++
	}
}

// findings counts findings that hold every finding of their requests (a
// request's stay times belong to its pages).
func (z *summarizer) findings(fs []Finding) {
	stays := stayTimes(fs)
	mpReq := map[string]map[int]bool{}
	pageSeen := map[string]bool{}
	for _, f := range fs {
		if rs := z.byRun[f.Run]; rs != nil {
			rs.DataTypes[f.DataType]++
			m := rs.Features[f.Feature]
			if m == nil {
				m = map[string]int{}
				rs.Features[f.Feature] = m
			}
			m[f.DataType]++
		}
		if f.Coord != nil {
			z.locations = append(z.locations, Location{Lat: f.Coord.Lat, Lon: f.Coord.Lon, PrecisionM: f.Coord.PrecisionM,
				Encoding: f.Coord.Encoding, DataType: f.DataType, Run: f.Run, Permissions: f.Permissions,
				Feature: f.Feature, URI: f.URI, ReqType: f.ReqType, Request: f.Request, Finding: f.ID})
		}
		if f.AppID == "" {
			continue
		}
		mp := z.mps[f.AppID]
		if mp == nil {
			mp = &MiniProgram{AppID: f.AppID, Endpoints: map[string]int{}, DataTypes: map[string]int{}}
			z.mps[f.AppID] = mp
		}
		if mpReq[f.AppID] == nil {
			mpReq[f.AppID] = map[int]bool{}
		}
		mp.DataTypes[f.DataType]++
		if !slices.Contains(mp.Runs, f.Run) {
			mp.Runs = append(mp.Runs, f.Run)
		}
		if !slices.Contains(mp.Recipient, f.Recipient) {
			mp.Recipient = append(mp.Recipient, f.Recipient)
		}
		if !mpReq[f.AppID][f.Request] {
			mpReq[f.AppID][f.Request] = true
			mp.Endpoints[reqKey(f.URI, f.ReqType)]++
			if isLaunch(f.URI) {
				mp.Launches++
			}
		}
		switch f.DataType {
		case string(taxonomy.MiniProgramPagePath):
			page := normPage(f.Evidence.Value)
			k := f.AppID + "\x00" + page + "\x00" + strconv.Itoa(f.Request)
			if !pageSeen[k] {
				pageSeen[k] = true
				mp.Pages = append(mp.Pages, PageVisit{Page: page, Run: f.Run, Time: f.Time, Request: f.Request, Entry: f.Entry, Endpoint: reqKey(f.URI, f.ReqType)})
				if st, ok := stays[stayKey{f.Request, f.Entry}]; ok {
					mp.Pages[len(mp.Pages)-1].StayMS = st
				}
			}
		case string(taxonomy.UIEvents):
			mp.UIEvents++
		case string(taxonomy.SearchQuery):
			mp.Searches++
		}
	}
}

func (z *summarizer) summary() Summary {
	s := Summary{Locations: z.locations}
	for _, mp := range z.mps {
		if mp.Launches == 0 && (len(mp.Pages) > 0 || mp.UIEvents > 0) {
			mp.Launches, mp.LaunchesInferred = 1, true
		}
	}
	for _, run := range z.runs {
		s.Runs = append(s.Runs, *z.byRun[run.Label])
	}
	for _, mp := range z.mps {
		s.MiniPrograms = append(s.MiniPrograms, *mp)
	}
	sort.Slice(s.MiniPrograms, func(i, j int) bool { return s.MiniPrograms[i].AppID < s.MiniPrograms[j].AppID })
	return s
}

type stayKey struct{ request, entry int }

// stayTimes collects the stay times of the report, by request and entry: a
// stay time belongs to the page reported in its own line or entry, never
// to the other pages of a batched request.
func stayTimes(fs []Finding) map[stayKey]int64 {
	out := map[stayKey]int64{}
	for i := range fs {
		f := &fs[i]
		if f.DataType != string(taxonomy.UsageStatistics) {
			continue
		}
		p := strings.ToLower(f.Evidence.FieldPath)
		if !strings.HasSuffix(p, "staytime") && !strings.HasSuffix(p, "stay_time") {
			continue
		}
		if ms, err := strconv.ParseInt(f.Evidence.Value, 10, 64); err == nil {
			out[stayKey{f.Request, f.Entry}] = ms
		}
	}
	return out
}

// isLaunch reports whether an endpoint starts a Mini Program session: its
// login (js-login) or a launch call.
func isLaunch(uri string) bool {
	u := strings.ToLower(uri)
	return strings.Contains(u, "js-login") || strings.Contains(u, "launch")
}

// normPage drops the ".html" suffix so report and event pages agree.
func normPage(p string) string { return strings.TrimSuffix(p, ".html") }

func reqKey(uri string, reqType int) string {
	if uri != "" {
		return uri
	}
	return "req " + strconv.Itoa(reqType)
}
