package serve

import (
	_ "embed"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wxaudit/wxaudit/report"
)

// Charts are SVG drawn here with coordinates in attributes: the CSP
// forbids inline style and there is no chart library to embed.

// mpView is one Mini Program with its pages on a time axis.
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

// axis is a time axis: one row per page, one bar per visit (its width is
// the stay time when known).
type axis struct {
	Width, Height int
	Run           string
	Rows          []axisRow
	Bars          []axisBar
	Start, End    string
}

type axisRow struct {
	Y     int
	Label string
}

type axisBar struct {
	X, Y, W int
	Title   string
	Href    string
}

const (
	axisLabelW = 170
	axisPlotW  = 450
	axisRowH   = 20
)

func newMPView(mp report.MiniProgram, href func(run string, n int) string) mpView {
	v := mpView{MiniProgram: mp}
	for _, p := range mp.Pages {
		v.Visits = append(v.Visits, visitRow{PageVisit: p, Href: href(p.Run, p.Request)})
	}
	byRun := map[string][]report.PageVisit{}
	var runs []string
	for _, p := range mp.Pages {
		if _, ok := byRun[p.Run]; !ok {
			runs = append(runs, p.Run)
		}
		byRun[p.Run] = append(byRun[p.Run], p)
	}
	for _, run := range runs {
		if a := newAxis(run, byRun[run], href); a != nil {
			v.Axes = append(v.Axes, a)
		}
	}
	return v
}

// newAxis lays out one run's page visits; nil when none has a time.
func newAxis(run string, pages []report.PageVisit, href func(run string, n int) string) *axis {
	type visit struct {
		t  time.Time
		pv report.PageVisit
	}
	var vs []visit
	var t0, t1 time.Time
	for _, p := range pages {
		t, err := time.Parse(time.RFC3339Nano, p.Time)
		if err != nil {
			continue
		}
		end := t.Add(time.Duration(p.StayMS) * time.Millisecond)
		if t0.IsZero() || t.Before(t0) {
			t0 = t
		}
		if end.After(t1) {
			t1 = end
		}
		vs = append(vs, visit{t, p})
	}
	if len(vs) == 0 {
		return nil
	}
	span := t1.Sub(t0)
	if span <= 0 {
		span = time.Second
	}
	rowOf := map[string]int{}
	a := &axis{Run: run, Width: axisLabelW + axisPlotW + 10, Start: t0.Format("15:04:05"), End: t1.Format("15:04:05")}
	for _, x := range vs {
		r, ok := rowOf[x.pv.Page]
		if !ok {
			r = len(a.Rows)
			rowOf[x.pv.Page] = r
			a.Rows = append(a.Rows, axisRow{Y: r*axisRowH + 14, Label: clip(x.pv.Page, 26)})
		}
		px := axisLabelW + int(float64(axisPlotW)*float64(x.t.Sub(t0))/float64(span))
		w := int(float64(axisPlotW) * float64(time.Duration(x.pv.StayMS)*time.Millisecond) / float64(span))
		w = max(w, 4)
		title := fmt.Sprintf("%s at %s", x.pv.Page, x.t.Format("15:04:05.000"))
		if x.pv.StayMS > 0 {
			title += fmt.Sprintf(", stayed %.1f s", float64(x.pv.StayMS)/1000)
		}
		a.Bars = append(a.Bars, axisBar{X: px, Y: r*axisRowH + 4, W: min(w, axisLabelW+axisPlotW-px+4), Title: title,
			Href: href(x.pv.Run, x.pv.Request)})
	}
	a.Height = len(a.Rows)*axisRowH + 24
	return a
}

// locView is the locations page: the coordinates on a world map and on a
// close-up of their region (both drawn over the embedded land outline,
// in degrees: x is the longitude, y minus the latitude), and a table.
type locView struct {
	Locs []report.Location
	// Land is the world outline as SVG path data.
	Land string
	// Region is the close-up's viewBox; Box the same area on the world
	// map; R the close-up's dot radius.
	Region string
	Box    struct{ X, Y, W, H string }
	R      string
	Dots   []mapDot
}

type mapDot struct {
	X, Y  string
	Class string
	Title string
	Href  string
}

// minRegionDeg is the least height of the close-up, in degrees: enough
// to show where on a continent the points are, at the outline's coarseness.
const minRegionDeg = 20.0

func newLocView(locs []report.Location, href func(run string, n int) string) *locView {
	v := &locView{Locs: locs, Land: landPath()}
	if len(locs) == 0 {
		return v
	}
	minLat, maxLat, minLon, maxLon := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, l := range locs {
		minLat, maxLat = math.Min(minLat, l.Lat), math.Max(maxLat, l.Lat)
		minLon, maxLon = math.Min(minLon, l.Lon), math.Max(maxLon, l.Lon)
	}
	cLat, cLon := (minLat+maxLat)/2, (minLon+maxLon)/2
	h := math.Max(math.Max(maxLat-minLat, (maxLon-minLon)/1.5)*1.4, minRegionDeg)
	w := h * 1.5
	x, y := cLon-w/2, -cLat-h/2
	v.Region = deg(x) + " " + deg(y) + " " + deg(w) + " " + deg(h)
	v.Box.X, v.Box.Y, v.Box.W, v.Box.H = deg(x), deg(y), deg(w), deg(h)
	v.R = deg(h / 60)
	for _, l := range locs {
		cls := "dot-coarse"
		if l.PrecisionM < 1000 {
			cls = "dot-precise"
		}
		v.Dots = append(v.Dots, mapDot{X: deg(l.Lon), Y: deg(-l.Lat), Class: cls, Href: href(l.Run, l.Request),
			Title: fmt.Sprintf("%.5f, %.5f (±%.0f m, %s) %s, run %s", l.Lat, l.Lon, l.PrecisionM, l.Encoding, l.Feature, l.Run)})
	}
	return v
}

func deg(f float64) string { return strconv.FormatFloat(f, 'f', 4, 64) }

// landTxt is Natural Earth's 1:110m land, simplified: see world/README.md.
//
//go:embed world/land.txt
var landTxt string

var landOnce = sync.OnceValue(func() string {
	var b strings.Builder
	for _, ring := range strings.Split(strings.TrimSpace(landTxt), "\n") {
		for i, p := range strings.Fields(ring) {
			lon, lat, ok := strings.Cut(p, ",")
			if !ok {
				continue
			}
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString("L")
			}
			b.WriteString(lon)
			b.WriteString(" ")
			if strings.HasPrefix(lat, "-") {
				b.WriteString(lat[1:])
			} else {
				b.WriteString("-" + lat)
			}
		}
		b.WriteString("Z")
	}
	return b.String()
})

// landPath is the world's land as SVG path data in degrees (y = -lat).
func landPath() string { return landOnce() }

// redactDiff hides identifying values in a diff's value items.
func (s *server) redactDiff(d *report.DiffResult) *report.DiffResult {
	out := *d
	for _, side := range []*report.Side{&out.OnlyA, &out.OnlyB} {
		vals := make([]report.DiffItem, len(side.Values))
		for i, it := range side.Values {
			if dt, v, ok := strings.Cut(it.Key, "="); ok {
				f := report.Finding{DataType: dt, Evidence: report.Evidence{Value: v}}
				it.Key = dt + "=" + s.red.rd.Value(&f)
			}
			vals[i] = it
		}
		sort.SliceStable(vals, func(i, j int) bool { return vals[i].Key < vals[j].Key })
		side.Values = vals
	}
	return &out
}
