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
		"verdictWord": verdictWord,
		"kindWord":    kindWord,
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
	link       map[string]string // finding ID → href
	reqLink    map[int]string    // request ID → href
	ClaimLinks map[string][]htmlLink
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

// htmlPages splits the findings into pages by request: page 0 is
// report.html, the others evidence-N.html. It returns each finding's and
// each request's href and the page names.
func (r *Report) htmlPages() (map[string]string, map[int]string, [][]int, []string) {
	// Computed once per report: every page needs the whole link table.
	if c := r.pages; c != nil && c.findings == len(r.Findings) {
		return cloneMap(c.link), cloneMap(c.reqLink), c.pages, append([]string(nil), c.names...)
	}
	link, reqLink, pages, names := r.computePages()
	r.pages = &pageCache{findings: len(r.Findings), link: link, reqLink: reqLink, pages: pages, names: names}
	return cloneMap(link), cloneMap(reqLink), pages, append([]string(nil), names...)
}

// pageCache holds the split of a report's findings into HTML pages.
type pageCache struct {
	findings int
	link     map[string]string
	reqLink  map[int]string
	pages    [][]int
	names    []string
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (r *Report) computePages() (map[string]string, map[int]string, [][]int, []string) {
	var order []int // request IDs with findings, in report order
	count := map[int]int{}
	for _, f := range r.Findings {
		if count[f.Request] == 0 {
			order = append(order, f.Request)
		}
		count[f.Request]++
	}
	var pages [][]int
	n := 0
	for _, id := range order {
		if len(pages) == 0 || (n+count[id] > findingsPerPage && n > 0) {
			pages = append(pages, nil)
			n = 0
		}
		pages[len(pages)-1] = append(pages[len(pages)-1], id)
		n += count[id]
	}
	names := make([]string, max(1, len(pages)))
	names[0] = HTMLFile
	for i := 1; i < len(pages); i++ {
		names[i] = fmt.Sprintf("evidence-%d.html", i)
	}
	pageOf := map[int]int{}
	for i, ids := range pages {
		for _, id := range ids {
			pageOf[id] = i
		}
	}
	link := map[string]string{}
	reqLink := map[int]string{}
	for _, id := range order {
		reqLink[id] = names[pageOf[id]] + "#r" + strconv.Itoa(id)
	}
	for _, f := range r.Findings {
		link[f.ID] = names[pageOf[f.Request]] + "#" + f.ID
	}
	return link, reqLink, pages, names
}

// WriteHTML writes the self-contained report.html: claims first, then the
// grouped policy gaps, runs, the data-type matrix, timelines, Mini
// Programs, locations and the evidence. The page has no script and loads
// nothing; every string from a payload goes through html/template's
// contextual escaping. Evidence beyond findingsPerPage goes to the pages
// WriteHTMLPage writes.
func (r *Report) WriteHTML(w io.Writer, sum Summary) error {
	return r.WriteHTMLPage(w, sum, 0)
}

// HTMLPages returns the file names of the HTML pages of the report:
// report.html first.
func (r *Report) HTMLPages() []string {
	_, _, _, names := r.htmlPages()
	return names
}

// WriteHTMLPage writes page n of the HTML report (0: report.html).
func (r *Report) WriteHTMLPage(w io.Writer, sum Summary, n int) error {
	link, reqLink, pages, names := r.htmlPages()
	v := &htmlView{R: r, Sum: sum, Page: n, Pages: names, Redacted: r.redacted, Requests: len(r.Requests),
		link: link, reqLink: reqLink}
	for i := range names {
		names[i] = strings.TrimPrefix(names[i], HTMLFile)
	}
	// Links within report.html are bare anchors; evidence pages link back.
	rel := func(href string) string {
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
	for k, h := range link {
		link[k] = rel(h)
	}
	for k, h := range reqLink {
		reqLink[k] = rel(h)
	}
	if n < len(pages) {
		v.Evidence = r.htmlEvidence(pages[n], link)
		v.Rules = r.htmlRules(pages[n])
	}
	if n == 0 {
		r.htmlOverview(v)
	}
	v.ClaimLinks = map[string][]htmlLink{}
	for _, c := range r.Claims {
		for _, id := range c.Evidence {
			if h, ok := link[id]; ok {
				v.ClaimLinks[c.ID] = append(v.ClaimLinks[c.ID], htmlLink{id, h})
			}
		}
	}
	return tmpl().Execute(w, v)
}

// htmlOverview fills the sections of report.html.
func (r *Report) htmlOverview(v *htmlView) {
	featSet := map[string]bool{}
	for _, q := range r.Requests {
		featSet[q.Feature] = true
	}
	for f := range featSet {
		v.Features = append(v.Features, f)
	}
	sort.Strings(v.Features)
	v.Gaps = r.GroupGaps()
	v.GapCounts = GapCounts(v.Gaps)
	for _, g := range v.Gaps {
		if g.Kind == "ambiguous" {
			v.Ambiguous = append(v.Ambiguous, g)
		} else {
			v.Serious = append(v.Serious, g)
		}
	}
	v.Timeline = r.htmlTimelines(v.Features, v.reqLink)
	v.Matrix = r.htmlMatrix(v.Features, v.link)
	for _, l := range v.Sum.Locations {
		v.MapDots = append(v.MapDots, htmlDot{X: int((l.Lon + 180) / 360 * 720), Y: int((90 - l.Lat) / 180 * 360),
			Color: "#d62728", Title: fmt.Sprintf("%.2f, %.2f (%s, %s)", l.Lat, l.Lon, l.Run, l.Encoding), Href: v.link[l.Finding]})
	}
}

// htmlTimelines draws one chart per run: x is the capture time when the
// requests have times (a capture), else their order (a request log has no
// times); y is the feature.
func (r *Report) htmlTimelines(features []string, reqLink map[int]string) []htmlTimeline {
	const rowH, left, width = 18, 110, 860
	fy := map[string]int{}
	for i, f := range features {
		fy[f] = i
	}
	byRun := map[string][]Request{}
	for _, q := range r.Requests {
		byRun[q.Run] = append(byRun[q.Run], q)
	}
	var out []htmlTimeline
	for _, run := range r.Runs {
		qs := byRun[run.Label]
		if len(qs) == 0 {
			continue
		}
		tl := htmlTimeline{Run: run.Label, Width: width, Height: rowH*len(features) + 28}
		for i, f := range features {
			tl.Rows = append(tl.Rows, htmlRow{Y: rowH*i + 13, Label: f})
		}
		times := make([]time.Time, len(qs))
		timed := true
		var t0, t1 time.Time
		for i, q := range qs {
			t, err := time.Parse(time.RFC3339Nano, q.Time)
			if err != nil {
				timed = false
				break
			}
			times[i] = t
			if t0.IsZero() || t.Before(t0) {
				t0 = t
			}
			if t.After(t1) {
				t1 = t
			}
		}
		span := t1.Sub(t0).Seconds()
		x := func(i int) int {
			if timed && span > 0 {
				return left + int(times[i].Sub(t0).Seconds()/span*float64(width-left-10))
			}
			if len(qs) == 1 {
				return left
			}
			return left + i*(width-left-10)/(len(qs)-1)
		}
		axisY := rowH*len(features) + 22
		if timed {
			tl.Axis = fmt.Sprintf("capture time, %s to %s (%s)", t0.UTC().Format("15:04:05"), t1.UTC().Format("15:04:05 MST"), t1.Sub(t0).Round(time.Second))
			for k := 0; k <= 4; k++ {
				at := t0.Add(time.Duration(float64(t1.Sub(t0)) * float64(k) / 4))
				tl.Ticks = append(tl.Ticks, htmlTick{X: left + k*(width-left-10)/4, Label: at.UTC().Format("15:04:05")})
			}
		} else {
			tl.Axis = "request order (this input has no times)"
			tl.Ticks = append(tl.Ticks, htmlTick{X: left, Label: "first"}, htmlTick{X: width - 10, Label: fmt.Sprintf("#%d", len(qs))})
		}
		for k := range tl.Ticks {
			tl.Ticks[k].Y = axisY
		}
		for i, q := range qs {
			title := fmt.Sprintf("#%d %s (%s) %d data types", q.Seq, reqKey(q.URI, q.ReqType), q.Feature, len(q.DataTypes))
			if q.Time != "" {
				title += " at " + q.Time
			}
			tl.Dots = append(tl.Dots, htmlDot{X: x(i), Y: rowH*fy[q.Feature] + 9,
				Color: featureColors[fy[q.Feature]%len(featureColors)], Title: title, Href: reqLink[q.ID]})
		}
		out = append(out, tl)
	}
	return out
}

// htmlMatrix is data type × feature over all runs, each row coloured by the
// data type's sensitivity (not by count: a single location matters more
// than a thousand timestamps).
func (r *Report) htmlMatrix(features []string, link map[string]string) htmlMatrix {
	counts := map[string]map[string]int{}
	first := map[string]string{}
	for _, f := range r.Findings {
		m := counts[f.DataType]
		if m == nil {
			m = map[string]int{}
			counts[f.DataType] = m
		}
		m[f.Feature]++
		if _, ok := first[f.DataType+"\x00"+f.Feature]; !ok {
			first[f.DataType+"\x00"+f.Feature] = f.ID
		}
	}
	mx := htmlMatrix{Features: features}
	dts := r.DataTypes("")
	sort.SliceStable(dts, func(i, j int) bool { return Sensitivity(dts[i]) > Sensitivity(dts[j]) })
	for _, dt := range dts {
		row := htmlMatrixRow{DataType: dt, Sensitivity: SensitivityName(Sensitivity(dt))}
		for _, f := range features {
			c := htmlCell{N: counts[dt][f]}
			if c.N > 0 {
				c.Href = link[first[dt+"\x00"+f]]
			}
			row.Cells = append(row.Cells, c)
		}
		mx.Rows = append(mx.Rows, row)
	}
	return mx
}

// maxShownContext bounds the context shown around a value.
const maxShownContext = 90

// htmlEvidence lists the requests of one page with their findings, each
// value highlighted in its report line.
func (r *Report) htmlEvidence(ids []int, link map[string]string) []htmlRequest {
	want := map[int]bool{}
	for _, id := range ids {
		want[id] = true
	}
	reqs := map[int]*htmlRequest{}
	var out []*htmlRequest
	for _, id := range ids {
		hr := &htmlRequest{Anchor: "r" + strconv.Itoa(id)}
		if id >= 0 && id < len(r.Requests) && r.Requests[id].ID == id {
			hr.Q = r.Requests[id]
		} else {
			hr.Q = Request{ID: id}
		}
		reqs[id] = hr
		out = append(out, hr)
	}
	for _, f := range r.Findings {
		if !want[f.Request] {
			continue
		}
		hf := htmlFinding{F: f, Mark: f.Evidence.Value}
		if ctx := f.Evidence.Context; ctx != "" {
			if i := strings.Index(ctx, f.Evidence.Value); i >= 0 && f.Evidence.Value != "" {
				hf.Before = tail(ctx[:i], maxShownContext)
				hf.After = head(ctx[i+len(f.Evidence.Value):], maxShownContext)
			} else {
				hf.After = " — in: " + head(ctx, maxShownContext)
			}
		}
		reqs[f.Request].Findings = append(reqs[f.Request].Findings, hf)
	}
	res := make([]htmlRequest, len(out))
	for i, hr := range out {
		res[i] = *hr
	}
	return res
}

// htmlRules lists each rule's reason once per page, so finding rows stay
// short.
func (r *Report) htmlRules(ids []int) []htmlRule {
	want := map[int]bool{}
	for _, id := range ids {
		want[id] = true
	}
	seen := map[string]bool{}
	var out []htmlRule
	for _, f := range r.Findings {
		if !want[f.Request] || seen[f.Evidence.Rule] {
			continue
		}
		seen[f.Evidence.Rule] = true
		out = append(out, htmlRule{f.Evidence.Rule, f.Evidence.Reason})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rule < out[j].Rule })
	return out
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

func verdictWord(v string) string {
	switch v {
	case Supported:
		return "supported"
	case Contradicted:
		return "contradicted"
	}
	return "not testable"
}

func kindWord(k string) string {
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

// Href is the link to a finding, wherever its page is.
func (v *htmlView) Href(id string) string { return v.link[id] }

// ReqHref is the link to a request's evidence, or "" when it has none.
func (v *htmlView) ReqHref(id int) string { return v.reqLink[id] }
