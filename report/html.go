package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
)

//go:embed report.html.tmpl
var htmlTemplate string

var tmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"reqKey": reqKey,
}).Parse(htmlTemplate))

// maxHTMLFindings bounds the findings listed in report.html; the full list is
// in findings.jsonl.
const maxHTMLFindings = 5000

type htmlDot struct {
	X, Y  int
	Color string
	Title string
	Href  string
}

type htmlMatrix struct {
	Features []string
	Rows     []htmlMatrixRow
}

type htmlMatrixRow struct {
	DataType string
	Cells    []htmlCell
}

type htmlCell struct {
	N     int
	Alpha string
	Href  string
}

type htmlView struct {
	R         *Report
	Sum       Summary
	Features  []string
	Timeline  []htmlTimeline
	Matrix    htmlMatrix
	Findings  []Finding
	Truncated int
	MapDots   []htmlDot
}

type htmlTimeline struct {
	Run    string
	Width  int
	Height int
	Rows   []htmlRow
	Dots   []htmlDot
}

type htmlRow struct {
	Y     int
	Label string
}

var featureColors = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31"}

// WriteHTML writes the self-contained report.html. Charts are inline SVG
// built here; the page has no script and loads nothing, and every string
// from a payload goes through html/template's contextual escaping.
func (r *Report) WriteHTML(w io.Writer, sum Summary) error {
	v := htmlView{R: r, Sum: sum}
	featSet := map[string]bool{}
	for _, q := range r.Requests {
		featSet[q.Feature] = true
	}
	for f := range featSet {
		v.Features = append(v.Features, f)
	}
	sort.Strings(v.Features)
	fy := map[string]int{}
	for i, f := range v.Features {
		fy[f] = i
	}
	// Timeline: one chart per run, x = request order, y = feature.
	const rowH, left, step = 18, 110, 6
	byRun := map[string][]Request{}
	for _, q := range r.Requests {
		byRun[q.Run] = append(byRun[q.Run], q)
	}
	firstFinding := map[int]string{}
	for _, f := range r.Findings {
		if _, ok := firstFinding[f.Request]; !ok {
			firstFinding[f.Request] = f.ID
		}
	}
	for _, run := range r.Runs {
		qs := byRun[run.Label]
		tl := htmlTimeline{Run: run.Label, Width: left + step*len(qs) + 20, Height: rowH*len(v.Features) + 10}
		for i, f := range v.Features {
			tl.Rows = append(tl.Rows, htmlRow{Y: rowH*i + 13, Label: f})
		}
		for i, q := range qs {
			title := fmt.Sprintf("#%d %s (%s) %d data types", q.Seq, reqKey(q.URI, q.ReqType), q.Feature, len(q.DataTypes))
			href := "#r-" + fmt.Sprint(q.ID)
			if id, ok := firstFinding[q.ID]; ok {
				href = "#" + id
			}
			tl.Dots = append(tl.Dots, htmlDot{X: left + step*i + 3, Y: rowH*fy[q.Feature] + 9,
				Color: featureColors[fy[q.Feature]%len(featureColors)], Title: title, Href: href})
		}
		v.Timeline = append(v.Timeline, tl)
	}
	// Matrix: data type × feature over all runs.
	counts := map[string]map[string]int{}
	first := map[string]string{}
	maxN := 1
	for _, f := range r.Findings {
		m := counts[f.DataType]
		if m == nil {
			m = map[string]int{}
			counts[f.DataType] = m
		}
		m[f.Feature]++
		maxN = max(maxN, m[f.Feature])
		if _, ok := first[f.DataType+"\x00"+f.Feature]; !ok {
			first[f.DataType+"\x00"+f.Feature] = f.ID
		}
	}
	v.Matrix.Features = v.Features
	for _, dt := range r.DataTypes("") {
		row := htmlMatrixRow{DataType: dt}
		for _, f := range v.Features {
			n := counts[dt][f]
			c := htmlCell{N: n}
			if n > 0 {
				c.Alpha = fmt.Sprintf("%.2f", 0.15+0.85*float64(n)/float64(maxN))
				c.Href = "#" + first[dt+"\x00"+f]
			}
			row.Cells = append(row.Cells, c)
		}
		v.Matrix.Rows = append(v.Matrix.Rows, row)
	}
	// Location map: equirectangular plot of every coordinate.
	for _, l := range sum.Locations {
		v.MapDots = append(v.MapDots, htmlDot{X: int((l.Lon + 180) / 360 * 720), Y: int((90 - l.Lat) / 180 * 360),
			Color: "#d62728", Title: fmt.Sprintf("%.5f, %.5f (%s, %s)", l.Lat, l.Lon, l.Run, l.Encoding), Href: "#" + l.Finding})
	}
	v.Findings = r.Findings
	if len(v.Findings) > maxHTMLFindings {
		v.Truncated = len(v.Findings) - maxHTMLFindings
		v.Findings = v.Findings[:maxHTMLFindings]
	}
	return tmpl.Execute(w, v)
}
