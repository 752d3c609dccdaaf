package report

import (
	"sort"
	"strconv"
	"strings"
)

// Summarize computes summary.json from the report.
func (r *Report) Summarize() Summary {
	var s Summary
	byRun := map[string]*RunSummary{}
	for _, run := range r.Runs {
		rs := &RunSummary{Run: run.Label, Permissions: run.Permissions, Requests: run.Requests,
			DataTypes: map[string]int{}, Features: map[string]map[string]int{}, ReqTypes: map[string]int{}}
		byRun[run.Label] = rs
	}
	for _, q := range r.Requests {
		if rs := byRun[q.Run]; rs != nil {
			rs.ReqTypes[reqKey(q.URI, q.ReqType)]++
		}
	}
	mps := map[string]*MiniProgram{}
	mpReq := map[string]map[int]bool{}
	pageSeen := map[string]bool{}
	for _, f := range r.Findings {
		if rs := byRun[f.Run]; rs != nil {
			rs.DataTypes[f.DataType]++
			m := rs.Features[f.Feature]
			if m == nil {
				m = map[string]int{}
				rs.Features[f.Feature] = m
			}
			m[f.DataType]++
		}
		if f.Coord != nil {
			s.Locations = append(s.Locations, Location{Lat: f.Coord.Lat, Lon: f.Coord.Lon, PrecisionM: f.Coord.PrecisionM,
				Encoding: f.Coord.Encoding, DataType: f.DataType, Run: f.Run, Permissions: f.Permissions,
				Feature: f.Feature, URI: f.URI, ReqType: f.ReqType, Request: f.Request, Finding: f.ID})
		}
		if f.AppID == "" {
			continue
		}
		mp := mps[f.AppID]
		if mp == nil {
			mp = &MiniProgram{AppID: f.AppID, Endpoints: map[string]int{}, DataTypes: map[string]int{}}
			mps[f.AppID] = mp
			mpReq[f.AppID] = map[int]bool{}
		}
		mp.DataTypes[f.DataType]++
		if !contains(mp.Runs, f.Run) {
			mp.Runs = append(mp.Runs, f.Run)
		}
		if !contains(mp.Recipient, f.Recipient) {
			mp.Recipient = append(mp.Recipient, f.Recipient)
		}
		if !mpReq[f.AppID][f.Request] {
			mpReq[f.AppID][f.Request] = true
			mp.Endpoints[reqKey(f.URI, f.ReqType)]++
			if strings.Contains(f.URI, "js-login") {
				mp.Launches++
			}
		}
		switch f.DataType {
		case "miniprogram_page_path":
			page := normPage(f.Evidence.Value)
			k := f.AppID + "\x00" + page + "\x00" + strconv.Itoa(f.Request)
			if !pageSeen[k] {
				pageSeen[k] = true
				mp.Pages = append(mp.Pages, PageVisit{Page: page, Run: f.Run, Time: f.Time, Request: f.Request, Endpoint: reqKey(f.URI, f.ReqType)})
			}
		case "ui_events":
			mp.UIEvents++
		case "search_query":
			mp.Searches++
		case "usage_statistics":
			if strings.HasSuffix(strings.ToLower(f.Evidence.FieldPath), "staytime") || strings.HasSuffix(strings.ToLower(f.Evidence.FieldPath), "stay_time") {
				if ms, err := strconv.ParseInt(f.Evidence.Value, 10, 64); err == nil {
					// Attach the stay time to this request's page visits.
					for i := len(mp.Pages) - 1; i >= 0 && mp.Pages[i].Request == f.Request; i-- {
						mp.Pages[i].StayMS = ms
					}
				}
			}
		}
	}
	for _, run := range r.Runs {
		s.Runs = append(s.Runs, *byRun[run.Label])
	}
	for _, mp := range mps {
		s.MiniPrograms = append(s.MiniPrograms, *mp)
	}
	sort.Slice(s.MiniPrograms, func(i, j int) bool { return s.MiniPrograms[i].AppID < s.MiniPrograms[j].AppID })
	return s
}

// normPage drops the ".html" suffix so report and event pages agree.
func normPage(p string) string { return strings.TrimSuffix(p, ".html") }

func reqKey(uri string, reqType int) string {
	if uri != "" {
		return uri
	}
	return "req " + strconv.Itoa(reqType)
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
