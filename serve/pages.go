package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/filter"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// page is what every template receives.
type page struct {
	Title  string
	Nav    string // the active section
	Query  string // the search box
	Reveal bool
	Data   any
}

var funcs = template.FuncMap{
	"base":    path.Base,
	"visible": visible,
	"finding": func(run, id string) string {
		u := "/findings/" + url.PathEscape(id)
		if run != "" {
			u += "?run=" + url.QueryEscape(run)
		}
		return u
	},
	"clock": func(rfc string) string {
		t, err := time.Parse(time.RFC3339Nano, rfc)
		if err != nil {
			return rfc
		}
		return t.Format("15:04:05.000")
	},
	"anchor": func(fieldPath string) string {
		p, _, _ := strings.Cut(fieldPath, "+")
		return "n-" + anchorSafe(p)
	},
	"join":        strings.Join,
	"verdictWord": report.VerdictWord,
	"kindWord":    report.KindWord,
	"pct":         func(a, b int) int { return a * 100 / max(b, 1) },
	"where": func(terms ...string) string {
		return "/requests?where=" + url.QueryEscape(strings.Join(terms, " "))
	},
	"term": func(key, v string) string { return key + "=" + quoteValue(v) },
	"ms":   func(ms int64) string { return fmt.Sprintf("%.1f s", float64(ms)/1000) },
	"sum": func(m map[string]int) int {
		n := 0
		for _, v := range m {
			n += v
		}
		return n
	},
	"sides": func(d *report.DiffResult) []report.Side { return []report.Side{d.OnlyA, d.OnlyB} },
	"items": func(run, title string, items []report.DiffItem) any {
		return struct {
			Run, Title string
			Items      []report.DiffItem
		}{run, title, items}
	},
	"compare": compareHref,
	"reqpath": url.PathEscape,
	"first":   func(n int, xs []string) []string { return xs[:min(n, len(xs))] },
	"sorth": func(d *listData, key, label, class string) any {
		return struct {
			D                 *listData
			Key, Label, Class string
		}{d, key, label, class}
	},
	"pair": func(a, b *comparedRequest) []*comparedRequest { return []*comparedRequest{a, b} },
	"fields": func(title, class string, items []fieldDiff) any {
		return struct {
			Title, Class string
			Items        []fieldDiff
		}{title, class, items}
	},
	"keys": func(m map[string]int) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	},
}

func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.tmpl"))
	out := map[string]*template.Template{}
	for _, name := range []string{"overview", "requests", "request", "search", "miniprograms", "locations", "gaps", "diff", "compare", "error"} {
		t := template.Must(base.Clone())
		out[name] = template.Must(t.ParseFS(templateFS, "templates/"+name+".tmpl"))
	}
	return out
}

// render executes a page into a buffer first, so a template error never
// leaves half a page.
func (s *server) render(w http.ResponseWriter, name string, p *page) {
	p.Reveal = s.red.reveal
	if p.Nav == "" {
		p.Nav = name
	}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "page", p); err != nil {
		http.Error(w, "template: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

func (s *server) overview(w http.ResponseWriter, r *http.Request) {
	o, _, err := s.loadGaps(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, "overview", &page{Title: "Overview", Data: o})
}

// listForm is the request list's filter form.
type listForm struct {
	Run, Feature, Endpoint, DataType, Recipient, Perm, From, To, Where string
	// Text is the list's text search (?q=), applied as the search page
	// applies it.
	Text string
	// Sort is the list's order (?sort=, Query.Sort).
	Sort string
	// Expr is the whole expression the form means.
	Expr      string
	Runs      []string
	DataTypes []string
}

func (f *listForm) terms() string {
	parts := []string{}
	add := func(key, v string) {
		if v = strings.TrimSpace(v); v != "" {
			parts = append(parts, key+quoteValue(v))
		}
	}
	add("run=", f.Run)
	add("feature=", f.Feature)
	add("endpoint~", f.Endpoint)
	add("data_type=", f.DataType)
	add("recipient=", f.Recipient)
	add("permissions=", f.Perm)
	add("time>=", f.From)
	add("time<=", f.To)
	if w := strings.TrimSpace(f.Where); w != "" {
		parts = append(parts, w)
	}
	return strings.Join(parts, " ")
}

// quoteValue quotes a filter value when it needs it.
func quoteValue(v string) string {
	if v == "" || strings.ContainsAny(v, " \t\r\n\"\\") {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
	}
	return v
}

// parseQuery reads the request list's query: the form fields and the
// where expression, ANDed.
func parseQuery(r *http.Request) (*listForm, Query, error) {
	v := r.URL.Query()
	f := &listForm{Run: v.Get("run"), Feature: v.Get("feature"), Endpoint: v.Get("endpoint"), DataType: v.Get("data_type"),
		Recipient: v.Get("recipient"), Perm: v.Get("permissions"), From: v.Get("from"), To: v.Get("to"), Where: v.Get("where"), Text: v.Get("q")}
	f.Expr = f.terms()
	q := Query{}
	e, err := filter.Parse(f.Expr)
	if err != nil {
		return f, q, &badRequest{err}
	}
	q.Where = e
	for _, p := range []struct {
		name string
		to   *int
	}{{"offset", &q.Offset}, {"limit", &q.Limit}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return f, q, &badRequest{fmt.Errorf("%s=%q: want a whole number, 0 or more", p.name, s)}
		}
		*p.to = n
	}
	return f, q, nil
}

type listData struct {
	Form       *listForm
	Page       *RequestPage
	Err        string
	Prev, Next string
	First      int
	Last       int
	// Export is the query string of the export links.
	Export string
}

// listPage is one page of the request list; with text, only requests
// with a search hit for it (as the search page shows hits) are listed.
func (s *server) listPage(r *http.Request, q Query, text string) (*RequestPage, error) {
	if strings.TrimSpace(text) == "" {
		return s.src.Requests(r.Context(), q)
	}
	var all []Request
	if err := s.eachRequest(r.Context(), r, func(x Request) error { all = append(all, x); return nil }); err != nil {
		return nil, err
	}
	limit := clampLimit(q.Limit)
	p := &RequestPage{Offset: max(q.Offset, 0), Limit: limit, Total: len(all), Requests: []Request{}}
	if p.Offset < len(all) {
		p.Requests = all[p.Offset:min(p.Offset+limit, len(all))]
	}
	return p, nil
}

func (s *server) requests(w http.ResponseWriter, r *http.Request) {
	form, q, err := parseListQuery(r)
	d := &listData{Form: form}
	o, oerr := s.src.Overview(r.Context())
	if oerr != nil {
		s.fail(w, r, oerr)
		return
	}
	for _, run := range o.Runs {
		form.Runs = append(form.Runs, run.Label)
	}
	for _, t := range taxonomy.All {
		form.DataTypes = append(form.DataTypes, string(t.Name))
	}
	if err != nil {
		d.Err = err.Error()
		w.WriteHeader(http.StatusBadRequest)
	} else {
		p, err := s.listPage(r, q, form.Text)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for i := range p.Requests {
			p.Requests[i] = s.shownRequest(p.Requests[i])
		}
		d.Page = p
		d.Export = exportQuery(form, form.Text)
		d.First, d.Last = p.Offset+1, p.Offset+len(p.Requests)
		link := func(off int) string {
			u := url.Values{"where": {form.Expr}, "offset": {strconv.Itoa(off)}}
			if form.Text != "" {
				u.Set("q", form.Text)
			}
			if form.Sort != "" {
				u.Set("sort", form.Sort)
			}
			if q.Limit > 0 {
				u.Set("limit", strconv.Itoa(p.Limit))
			}
			return "/requests?" + u.Encode()
		}
		if p.Offset > 0 {
			d.Prev = link(max(p.Offset-p.Limit, 0))
		}
		if p.Offset+len(p.Requests) < p.Total {
			d.Next = link(p.Offset + p.Limit)
		}
	}
	s.render(w, "requests", &page{Title: "Requests", Data: d})
}

type requestData struct {
	Q        *RequestDetail
	Findings []report.Finding
	View     *payloadView
}

func (s *server) loadRequest(ctx context.Context, id string) (*requestData, error) {
	q, err := s.src.Request(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &requestData{Q: q, Findings: s.red.findings(q.Findings)}
	if len(q.Payload) > 0 {
		s.mu.Lock()
		d.View = buildPayloadView(s.dec, &q.Request, q.Payload, q.Findings, s.red)
		s.mu.Unlock()
	}
	return d, nil
}

func (s *server) request(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, "request", &page{Title: "Request " + d.Q.ID, Nav: "requests", Data: d})
}

// finding redirects a finding's stable URL to its place in its request.
func (s *server) finding(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	req, err := s.src.FindingRequest(r.Context(), r.URL.Query().Get("run"), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/requests/"+url.PathEscape(req)+"#"+anchorSafe(id), http.StatusSeeOther)
}

// searchHit is a hit cut around its match for display.
type searchHit struct {
	Hit
	Before, Match, After string
	Anchor               string
}

type searchData struct {
	Res  *SearchResult
	Hits []searchHit
}

// maxQuery bounds a search query, in bytes: longer is a 400, not a scan
// (or an FTS error) over the whole corpus.
const maxQuery = 1000

// searchWindow is how many raw hits of a needle runSearch reads first.
var searchWindow = DefaultLimit + 1

// maxSearchNeedles bounds the raw values a pseudonym query is turned into.
const maxSearchNeedles = 16

// runSearch searches what the server shows, not what the store holds: a
// hit is kept only if its text, redacted as shown, contains the query.
// Searching the raw values directly would let a visitor rebuild a hidden
// identifier a character at a time (wxid_26p: 77 hits, wxid_26x: none).
// A query that is part of a pseudonym is also looked up as the values
// behind it, so "[account_id s4dw" finds where that account was sent.
func (s *server) runSearch(ctx context.Context, q string) (*SearchResult, error) {
	if len(q) > maxQuery {
		return nil, &badRequest{fmt.Errorf("search: the query is %d bytes long; the limit is %d", len(q), maxQuery)}
	}
	want := strings.ToLower(strings.TrimSpace(q))
	res := &SearchResult{Query: q, Hits: []Hit{}}
	if want == "" {
		return res, nil
	}
	needles := append([]string{q}, s.red.rd.ValuesShownAs(want, maxSearchNeedles)...)
	type key struct{ run, req, path, where, text string }
	seen := map[key]bool{}
	for _, n := range needles {
		// A page's worth of raw hits first: most queries fill the page from
		// it. Only when hidden values left it short is the needle searched
		// again up to MaxLimit, its first hits taken back, so the result is
		// the same either way.
		for _, limit := range []int{searchWindow, MaxLimit} {
			raw, err := s.src.Search(ctx, n, limit)
			if err != nil {
				return nil, err
			}
			had := len(res.Hits)
			var added []key
			for _, h := range raw.Hits {
				h.Text = visible(s.red.text(h.Text))
				k := key{h.Run, h.Request, h.Path, h.Where, h.Text}
				if seen[k] || !strings.Contains(strings.ToLower(h.Text), want) {
					continue
				}
				seen[k] = true
				added = append(added, k)
				if len(res.Hits) == DefaultLimit {
					res.More = true
					return res, nil
				}
				res.Hits = append(res.Hits, h)
			}
			if !raw.More || limit == MaxLimit {
				res.More = res.More || raw.More
				break
			}
			res.Hits = res.Hits[:had]
			for _, k := range added {
				delete(seen, k)
			}
		}
	}
	return res, nil
}

func (s *server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	d := &searchData{}
	if strings.TrimSpace(q) != "" {
		res, err := s.runSearch(r.Context(), q)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Res = res
		for _, h := range res.Hits {
			d.Hits = append(d.Hits, cutHit(h, q))
		}
	}
	s.render(w, "search", &page{Title: "Search", Query: q, Data: d})
}

// cutHit splits a hit's text around the first match, keeping some context.
func cutHit(h Hit, q string) searchHit {
	sh := searchHit{Hit: h, Anchor: "n-" + anchorSafe(h.Path)}
	text := h.Text
	i := strings.Index(strings.ToLower(text), strings.ToLower(strings.TrimSpace(q)))
	if i < 0 {
		sh.Before = clip(text, 200)
		return sh
	}
	n := len(strings.TrimSpace(q))
	before, match, after := text[:i], text[i:i+n], text[i+n:]
	if len(before) > 80 {
		before = "…" + strings.ToValidUTF8(before[len(before)-80:], "")
	}
	sh.Before, sh.Match, sh.After = before, match, clip(after, 120)
	return sh
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

func (s *server) miniprograms(w http.ResponseWriter, r *http.Request) {
	mps, err := s.src.MiniPrograms(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var events []report.Finding
	if es, ok := s.src.(uiEventSource); ok {
		if events, err = es.uiEvents(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	var views []mpView
	for _, mp := range mps {
		views = append(views, newMPView(mp, events, requestHref(s.src), s.red))
	}
	s.render(w, "miniprograms", &page{Title: "Mini Programs", Data: views})
}

func (s *server) locations(w http.ResponseWriter, r *http.Request) {
	locs, err := s.src.Locations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for i := range locs {
		locs[i] = s.red.location(locs[i])
	}
	s.render(w, "locations", &page{Title: "Locations", Data: newLocView(locs, requestHref(s.src))})
}

func (s *server) gaps(w http.ResponseWriter, r *http.Request) {
	_, d, err := s.loadGaps(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, "gaps", &page{Title: "Policy gaps", Data: d})
}

type diffData struct {
	Runs []string
	A, B string
	Res  *report.DiffResult
	Err  string
}

func (s *server) diff(w http.ResponseWriter, r *http.Request) {
	o, err := s.src.Overview(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &diffData{A: r.URL.Query().Get("a"), B: r.URL.Query().Get("b")}
	for _, run := range o.Runs {
		d.Runs = append(d.Runs, run.Label)
	}
	asked := d.A != "" && d.B != ""
	// Preselect two different runs: the same run on both sides compares
	// nothing.
	if d.A == "" {
		d.A = otherRun(d.Runs, d.B)
	}
	if d.B == "" {
		d.B = otherRun(d.Runs, d.A)
	}
	if asked {
		res, err := s.src.Diff(r.Context(), d.A, d.B)
		switch {
		case errors.Is(err, ErrNotFound):
			d.Err = "no such run"
			w.WriteHeader(http.StatusNotFound)
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			d.Res = s.redactDiff(res)
		}
	}
	s.render(w, "diff", &page{Title: "Diff", Data: d})
}

// otherRun returns the first run that is not run ("" when there is none).
func otherRun(runs []string, run string) string {
	for _, r := range runs {
		if r != run {
			return r
		}
	}
	return ""
}
