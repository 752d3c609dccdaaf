package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed report.html.tmpl
var htmlTemplate string

// tmpl is parsed on first use, not at start-up: every wxaudit command
// would otherwise pay for it.
var tmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"reqKey":      reqKey,
		"sensitivity": func(dt string) string { return SensitivityName(Sensitivity(dt)) },
		"pct":         func(x float64) string { return fmt.Sprintf("%.0f%%", x*100) },
		"verdictWord": VerdictWord,
		"kindWord":    KindWord,
		"first":       firstN,
	}).Parse(htmlTemplate))
})

// findingsPerPage bounds the findings of one HTML page. A larger report
// is split into report.html and evidence-N.html pages, so every finding
// keeps its anchor whatever the size of the input: links are never cut.
const findingsPerPage = 2500

// htmlView is what report.html.tmpl renders.
type htmlView struct {
	R          *Report
	Sum        Summary
	Page       int // 0: report.html; n: evidence-n.html
	Pages      []string
	Redacted   bool
	Requests   int
	Findings   int
	Features   []string
	Timeline   []htmlTimeline
	Matrix     htmlMatrix
	Gaps       []GapGroup
	Serious    []GapGroup
	Ambiguous  []GapGroup
	GapCounts  map[string]int
	Evidence   []htmlRequest
	Rules      []htmlRule
	MapDots    []htmlDot
	ClaimLinks map[string][]htmlLink
	d          *digest
}

type htmlLink struct{ ID, Href string }

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
	DataType    string
	Sensitivity string
	Cells       []htmlCell
}

type htmlCell struct {
	N    int
	Href string
}

type htmlTimeline struct {
	Run    string
	Axis   string // what x measures
	Width  int
	Height int
	Rows   []htmlRow
	Ticks  []htmlTick
	Dots   []htmlDot
}

type htmlTick struct {
	X, Y  int
	Label string
}

type htmlRow struct {
	Y     int
	Label string
}

// htmlRequest is one request with findings, as the evidence section shows
// it.
type htmlRequest struct {
	Anchor   string
	Q        Request
	Findings []htmlFinding
}

type htmlFinding struct {
	F      Finding
	Before string // context before the value
	Mark   string // the value, highlighted
	After  string
}

type htmlRule struct{ Rule, Reason string }

var featureColors = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31"}

// writeHTML writes page n of the HTML report (0: report.html, with the
// overview) with the given evidence. The page has no script and loads
// nothing; every string from a payload goes through html/template's
// contextual escaping.
func (d *digest) writeHTML(w io.Writer, n int, evidence []htmlRequest, rules []htmlRule) error {
	names := d.pageNames()
	v := &htmlView{R: d.head, Sum: d.sumDone, Page: n, Pages: names, Redacted: d.head.redacted, Requests: d.heads.n,
		Findings: d.nFinds, Evidence: evidence, Rules: rules, d: d}
	v.Pages = make([]string, len(names))
	for i := range names {
		v.Pages[i] = strings.TrimPrefix(names[i], HTMLFile)
	}
	if n == 0 {
		if err := d.htmlOverview(v); err != nil {
			return err
		}
	}
	v.ClaimLinks = map[string][]htmlLink{}
	for _, c := range d.head.Claims {
		for _, id := range c.Evidence {
			if h := v.Href(id); h != "" {
				v.ClaimLinks[c.ID] = append(v.ClaimLinks[c.ID], htmlLink{id, h})
			}
		}
	}
	return tmpl().Execute(w, v)
}

// rel makes an href relative to page n: links within report.html are bare
// anchors; evidence pages link back.
func rel(n int, href string) string {
	if n == 0 {
		return strings.TrimPrefix(href, HTMLFile)
	}
	if strings.HasPrefix(href, fmt.Sprintf("evidence-%d.html#", n)) {
		return href[strings.IndexByte(href, '#'):]
	}
	if strings.HasPrefix(href, "#") {
		return HTMLFile + href
	}
	return href
}

// htmlOverview fills the sections of report.html.
func (d *digest) htmlOverview(v *htmlView) error {
	for f := range d.features {
		v.Features = append(v.Features, f)
	}
	sort.Strings(v.Features)
	v.Gaps = d.gaps
	v.GapCounts = GapCounts(v.Gaps)
	for _, g := range v.Gaps {
		if g.Kind == "ambiguous" {
			v.Ambiguous = append(v.Ambiguous, g)
		} else {
			v.Serious = append(v.Serious, g)
		}
	}
	var err error
	if v.Timeline, err = d.htmlTimelines(v.Features, v.ReqHref); err != nil {
		return err
	}
	v.Matrix = d.htmlMatrix(v.Features, v.Href)
	for _, l := range v.Sum.Locations {
		v.MapDots = append(v.MapDots, htmlDot{X: int((l.Lon + 180) / 360 * 720), Y: int((90 - l.Lat) / 180 * 360),
			Color: "#d62728", Title: fmt.Sprintf("%.2f, %.2f (%s, %s)", l.Lat, l.Lon, l.Run, l.Encoding), Href: v.Href(l.Finding)})
	}
	return nil
}

// htmlTimelines draws one chart per run: x is the capture time when the
// requests have times (a capture), else their order (a request log has no
// times); y is the feature. It reads the requests twice: for each run's
// extent, then for the dots.
func (d *digest) htmlTimelines(features []string, reqLink func(int) string) ([]htmlTimeline, error) {
	const rowH, left, width = 18, 110, 860
	fy := map[string]int{}
	for i, f := range features {
		fy[f] = i
	}
	type extent struct {
		n      int
		timed  bool
		t0, t1 time.Time
	}
	runs := map[string]*extent{}
	err := d.heads.each(func(q *Request) error {
		e := runs[q.Run]
		if e == nil {
			e = &extent{timed: true}
			runs[q.Run] = e
		}
		e.n++
		if !e.timed {
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, q.Time)
		if err != nil {
			e.timed = false
			return nil
		}
		if e.t0.IsZero() || t.Before(e.t0) {
			e.t0 = t
		}
		if t.After(e.t1) {
			e.t1 = t
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []htmlTimeline
	at := map[string]int{} // run → its chart in out
	for _, run := range d.head.Runs {
		e := runs[run.Label]
		if e == nil || e.n == 0 {
			continue
		}
		tl := htmlTimeline{Run: run.Label, Width: width, Height: rowH*len(features) + 28}
		for i, f := range features {
			tl.Rows = append(tl.Rows, htmlRow{Y: rowH*i + 13, Label: f})
		}
		axisY := rowH*len(features) + 22
		t0, t1 := e.t0, e.t1
		if e.timed {
			tl.Axis = fmt.Sprintf("capture time, %s to %s (%s)", t0.UTC().Format("15:04:05"), t1.UTC().Format("15:04:05 MST"), t1.Sub(t0).Round(time.Second))
			for k := 0; k <= 4; k++ {
				at := t0.Add(time.Duration(float64(t1.Sub(t0)) * float64(k) / 4))
				tl.Ticks = append(tl.Ticks, htmlTick{X: left + k*(width-left-10)/4, Label: at.UTC().Format("15:04:05")})
			}
		} else {
			tl.Axis = "request order (this input has no times)"
			tl.Ticks = append(tl.Ticks, htmlTick{X: left, Label: "first"}, htmlTick{X: width - 10, Label: fmt.Sprintf("#%d", e.n)})
		}
		for k := range tl.Ticks {
			tl.Ticks[k].Y = axisY
		}
		tl.Dots = make([]htmlDot, 0, e.n)
		if _, dup := at[run.Label]; !dup {
			at[run.Label] = len(out)
		}
		out = append(out, tl)
	}
	err = d.heads.each(func(q *Request) error {
		k, ok := at[q.Run]
		if !ok {
			return nil
		}
		tl, e := &out[k], runs[q.Run]
		i := len(tl.Dots)
		x := left
		span := e.t1.Sub(e.t0).Seconds()
		switch {
		case e.timed && span > 0:
			t, _ := time.Parse(time.RFC3339Nano, q.Time)
			x = left + int(t.Sub(e.t0).Seconds()/span*float64(width-left-10))
		case e.n > 1:
			x = left + i*(width-left-10)/(e.n-1)
		}
		title := fmt.Sprintf("#%d %s (%s) %d data types", q.Seq, reqKey(q.URI, q.ReqType), q.Feature, len(q.DataTypes))
		if q.Time != "" {
			title += " at " + q.Time
		}
		tl.Dots = append(tl.Dots, htmlDot{X: x, Y: rowH*fy[q.Feature] + 9,
			Color: featureColors[fy[q.Feature]%len(featureColors)], Title: title, Href: reqLink(q.ID)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	// A run listed twice draws its chart twice, as each run is drawn.
	for i := range out {
		if k := at[out[i].Run]; k != i {
			out[i].Dots = out[k].Dots
		}
	}
	return out, nil
}

// htmlMatrix is data type × feature over all runs, each row coloured by the
// data type's sensitivity (not by count: a single location matters more
// than a thousand timestamps).
func (d *digest) htmlMatrix(features []string, link func(string) string) htmlMatrix {
	mx := htmlMatrix{Features: features}
	dts := d.dataTypes()
	sort.SliceStable(dts, func(i, j int) bool { return Sensitivity(dts[i]) > Sensitivity(dts[j]) })
	for _, dt := range dts {
		row := htmlMatrixRow{DataType: dt, Sensitivity: SensitivityName(Sensitivity(dt))}
		for _, f := range features {
			c := htmlCell{N: d.matrix[dt][f]}
			if c.N > 0 {
				c.Href = link(d.mxFirst[dt+"\x00"+f])
			}
			row.Cells = append(row.Cells, c)
		}
		mx.Rows = append(mx.Rows, row)
	}
	return mx
}

// maxShownContext bounds the context shown around a value.
const maxShownContext = 90

// htmlEvidence is one request of an evidence page with its findings,
// each value highlighted in its report line.
func (d *digest) htmlEvidence(fs []Finding, page int) (htmlRequest, error) {
	id := fs[0].Request
	hr := htmlRequest{Anchor: "r" + strconv.Itoa(id)}
	var err error
	if hr.Q, err = d.requestHead(id); err != nil {
		return hr, err
	}
	for _, f := range fs {
		hf := htmlFinding{F: f, Mark: f.Evidence.Value}
		if ctx := f.Evidence.Context; ctx != "" {
			if i := strings.Index(ctx, f.Evidence.Value); i >= 0 && f.Evidence.Value != "" {
				hf.Before = tail(ctx[:i], maxShownContext)
				hf.After = head(ctx[i+len(f.Evidence.Value):], maxShownContext)
			} else {
				hf.After = " — in: " + head(ctx, maxShownContext)
			}
		}
		hr.Findings = append(hr.Findings, hf)
	}
	return hr, nil
}

func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && (s[i]&0xC0) == 0x80 {
		i++
	}
	return "…" + s[i:]
}

// VerdictWord is the word a page shows for a claim's verdict.
func VerdictWord(v string) string {
	switch v {
	case Supported:
		return "supported"
	case Contradicted:
		return "contradicted"
	}
	return "not testable"
}

// KindWord is the words a page shows for a policy gap's kind.
func KindWord(k string) string {
	switch k {
	case "incorrect_entity":
		return "wrong collector named"
	case "governed_elsewhere":
		return "left to another policy"
	case "omitted":
		return "not disclosed"
	case "ambiguous":
		return "only vague wording"
	}
	return k
}

func firstN(n int, xs []htmlLink) []htmlLink {
	if len(xs) > n {
		return xs[:n]
	}
	return xs
}

// Href is the link to a finding the overview names (claims, gaps, matrix,
// locations), wherever its page is; "" for another.
func (v *htmlView) Href(id string) string {
	q, ok := v.d.idReq[id]
	if !ok {
		return ""
	}
	p, ok := v.d.reqPage[q]
	if !ok {
		return ""
	}
	return rel(v.Page, v.d.pageNames()[p]+"#"+id)
}

// ReqHref is the link to a request's evidence, or "" when it has none.
func (v *htmlView) ReqHref(id int) string {
	p, ok := v.d.reqPage[id]
	if !ok {
		return ""
	}
	return rel(v.Page, v.d.pageNames()[p]+"#r"+strconv.Itoa(id))
}
