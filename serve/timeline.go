package serve

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// The Mini Program timeline: per run, one row per page with a bar per
// visit (as long as the stay time when the run has times), and a row of
// the UI events reported about the Mini Program. Charts are SVG drawn here
// with coordinates in attributes: the CSP forbids inline style.

// mpView is one Mini Program with its pages and events on time axes.
type mpView struct {
	report.MiniProgram
	Axes []*axis // one per run, in the order runs first appear
	// Visits are the page visits with their request's URL.
	Visits []visitRow
}

type visitRow struct {
	report.PageVisit
	Href string
}

// axis is one run's timeline.
type axis struct {
	Width, Height int
	Run           string
	// ByOrder is set when the run has no times: items are placed in
	// request order, and stay times are written, not drawn.
	ByOrder    bool
	Rows       []axisRow
	Bars       []axisBar
	Events     []axisEvent
	Start, End string
	// EventsY is the y of the UI events row (0: no events).
	EventsY int
}

type axisRow struct {
	Y     int
	Label string
}

type axisBar struct {
	X, Y, W int
	Title   string
	Href    string
	// Stay is the stay time written beside the bar (order axes only).
	Stay   string
	StayX  int
	StayY  int
	Stayed bool
}

type axisEvent struct {
	X, Y  int
	Title string
	Href  string
	// N counts the events at this place.
	N int
	// Points is the diamond's polygon.
	Points string
}

const (
	axisLabelW = 170
	axisPlotW  = 450
	axisRowH   = 20
	// maxAxisRows bounds the page rows of one timeline.
	maxAxisRows = 60
	// maxEventLines bounds the events listed in one diamond's title.
	maxEventLines = 10
)

// uiEventSource is a source that lists the UI event findings naming a
// Mini Program (both sources do; the interface keeps Source unchanged).
type uiEventSource interface {
	uiEvents(ctx context.Context) ([]report.Finding, error)
}

func (s *ReportSource) uiEvents(ctx context.Context) ([]report.Finding, error) {
	return filterUIEvents(s.rep.Findings), nil
}

func (s *StoreSource) uiEvents(ctx context.Context) ([]report.Finding, error) {
	r, err := s.located(ctx)
	if err != nil {
		return nil, err
	}
	return filterUIEvents(r.Findings), nil
}

func filterUIEvents(fs []report.Finding) []report.Finding {
	var out []report.Finding
	for _, f := range fs {
		if f.AppID != "" && f.DataType == string(taxonomy.UIEvents) {
			out = append(out, f)
		}
	}
	return out
}

// timelineItem is a page visit or a UI event placed on an axis.
type timelineItem struct {
	t       time.Time
	request int
	visit   *report.PageVisit
	event   *report.Finding
}

func newMPView(mp report.MiniProgram, events []report.Finding, href func(run string, n int) string, red *redactor) mpView {
	v := mpView{MiniProgram: mp}
	byRun := map[string][]timelineItem{}
	var runs []string
	add := func(run string, it timelineItem) {
		if _, ok := byRun[run]; !ok {
			runs = append(runs, run)
		}
		byRun[run] = append(byRun[run], it)
	}
	for i := range mp.Pages {
		p := &mp.Pages[i]
		v.Visits = append(v.Visits, visitRow{PageVisit: *p, Href: href(p.Run, p.Request)})
		t, _ := time.Parse(time.RFC3339Nano, p.Time)
		add(p.Run, timelineItem{t: t, request: p.Request, visit: p})
	}
	for i := range events {
		f := &events[i]
		if f.AppID != mp.AppID {
			continue
		}
		t, _ := time.Parse(time.RFC3339Nano, f.Time)
		add(f.Run, timelineItem{t: t, request: f.Request, event: f})
	}
	for _, run := range runs {
		v.Axes = append(v.Axes, newAxis(run, byRun[run], href, red))
	}
	return v
}

// newAxis lays out one run's items: by time when every item has one, else
// by request order.
func newAxis(run string, items []timelineItem, href func(run string, n int) string, red *redactor) *axis {
	a := &axis{Run: run, Width: axisLabelW + axisPlotW + 60}
	timed := true
	for _, it := range items {
		if it.t.IsZero() {
			timed = false
		}
	}
	a.ByOrder = !timed
	// x places an item and gives a visit's bar width.
	var x func(it timelineItem) (int, int)
	if timed {
		var t0, t1 time.Time
		for i, it := range items {
			end := it.t
			if it.visit != nil {
				end = end.Add(time.Duration(it.visit.StayMS) * time.Millisecond)
			}
			if i == 0 || it.t.Before(t0) {
				t0 = it.t
			}
			if end.After(t1) {
				t1 = end
			}
		}
		span := t1.Sub(t0)
		if span <= 0 {
			span = time.Second
		}
		a.Start, a.End = t0.Format("15:04:05"), t1.Format("15:04:05")
		x = func(it timelineItem) (int, int) {
			px := axisLabelW + int(float64(axisPlotW)*float64(it.t.Sub(t0))/float64(span))
			w := 4
			if it.visit != nil {
				w = max(w, int(float64(axisPlotW)*float64(time.Duration(it.visit.StayMS)*time.Millisecond)/float64(span)))
			}
			return px, min(w, axisLabelW+axisPlotW-px+4)
		}
	} else {
		var reqs []int
		seen := map[int]bool{}
		for _, it := range items {
			if !seen[it.request] {
				seen[it.request] = true
				reqs = append(reqs, it.request)
			}
		}
		sort.Ints(reqs)
		rank := map[int]int{}
		for i, r := range reqs {
			rank[r] = i
		}
		step := float64(axisPlotW) / float64(max(len(reqs)-1, 1))
		a.Start, a.End = "first request", "last request"
		x = func(it timelineItem) (int, int) { return axisLabelW + int(step*float64(rank[it.request])), 4 }
	}
	rowOf := map[string]int{}
	for _, it := range items {
		if it.visit == nil {
			continue
		}
		pv := it.visit
		r, ok := rowOf[pv.Page]
		if !ok {
			if len(a.Rows) == maxAxisRows {
				continue
			}
			r = len(a.Rows)
			rowOf[pv.Page] = r
			a.Rows = append(a.Rows, axisRow{Y: r*axisRowH + 14, Label: clip(red.text(pv.Page), 26)})
		}
		px, w := x(it)
		title := red.text(pv.Page)
		if timed {
			title += " at " + it.t.Format("15:04:05.000")
		} else {
			title += " in request " + strconv.Itoa(pv.Request)
		}
		b := axisBar{X: px, Y: r*axisRowH + 4, W: w, Href: href(pv.Run, pv.Request)}
		if pv.StayMS > 0 {
			stay := fmt.Sprintf("%.1f s", float64(pv.StayMS)/1000)
			title += ", stayed " + stay
			if !timed {
				b.Stayed, b.Stay, b.StayX, b.StayY = true, stay, px+w+3, r*axisRowH+14
			}
		}
		b.Title = title
		a.Bars = append(a.Bars, b)
	}
	y := len(a.Rows)*axisRowH + 14
	hasEvents := false
	// Events at the same place share one diamond, whose title lists them.
	at := map[int]int{}
	count := map[int]int{}
	for _, it := range items {
		if it.event == nil {
			continue
		}
		hasEvents = true
		f := red.finding(*it.event)
		px, _ := x(it)
		line := clip(f.Evidence.Value, 80) + " (" + f.Evidence.FieldPath + ")"
		if timed {
			line += " at " + it.t.Format("15:04:05.000")
		} else {
			line += " in request " + strconv.Itoa(f.Request)
		}
		if i, ok := at[px]; ok {
			count[px]++
			if count[px] <= maxEventLines {
				a.Events[i].Title += "\n" + line
			}
			a.Events[i].N = count[px]
			continue
		}
		at[px], count[px] = len(a.Events), 1
		a.Events = append(a.Events, axisEvent{X: px, Y: y - 4, Title: line, Href: href(f.Run, f.Request), N: 1,
			Points: fmt.Sprintf("%d,%d %d,%d %d,%d %d,%d", px, y-10, px+5, y-4, px, y+2, px-5, y-4)})
	}
	for i := range a.Events {
		e := &a.Events[i]
		head := "UI event"
		if e.N > 1 {
			head = strconv.Itoa(e.N) + " UI events"
		}
		e.Title = head + ":\n" + e.Title
		if e.N > maxEventLines {
			e.Title += fmt.Sprintf("\n… and %d more", e.N-maxEventLines)
		}
	}
	if hasEvents {
		a.EventsY = y
		y += axisRowH
	}
	a.Height = y + 10
	return a
}
