package serve

import (
	"net/http"

	"github.com/wxaudit/wxaudit/report"
)

// The JSON API: what the pages show, as documented in API.md. Responses
// are redacted exactly like the pages.

func (s *server) apiRuns(w http.ResponseWriter, r *http.Request) {
	o, _, err := s.loadGaps(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type runRow struct {
		report.Run
		DataTypes map[string]int `json:"data_types"`
	}
	rows := []runRow{}
	for _, run := range o.Runs {
		rows = append(rows, runRow{Run: run, DataTypes: o.Counts[run.Label]})
	}
	writeJSON(w, map[string]any{"runs": rows, "claims": o.Claims, "policy": o.Policy, "gaps": o.Gaps})
}

func (s *server) apiRequests(w http.ResponseWriter, r *http.Request) {
	form, q, err := parseListQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.src.Requests(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, struct {
		Where string `json:"where"`
		*RequestPage
	}{form.Expr, p})
}

func (s *server) apiRequest(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadRequest(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, s.requestJSON(d))
}

// requestJSON is one request as the API and its JSON export give it.
func (s *server) requestJSON(d *requestData) any {
	out := struct {
		Request
		Findings []report.Finding `json:"findings"`
		Prev     string           `json:"prev,omitempty"`
		Next     string           `json:"next,omitempty"`
		Tree     *treeNode        `json:"tree,omitempty"`
		Opaque   string           `json:"opaque,omitempty"`
		Payload  string           `json:"payload_hex,omitempty"`
	}{Request: s.shownRequest(d.Q.Request), Findings: d.Findings, Prev: d.Q.Prev, Next: d.Q.Next}
	if out.Findings == nil {
		out.Findings = []report.Finding{}
	}
	if d.View != nil {
		out.Tree, out.Opaque = d.View.Root, d.View.Opaque
		if s.red.reveal { // raw bytes would show every hidden value
			out.Payload = hexString(d.Q.Payload)
		}
	}
	return out
}

func (s *server) apiSearch(w http.ResponseWriter, r *http.Request) {
	res, err := s.runSearch(r.Context(), r.URL.Query().Get("q"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, res)
}

func (s *server) apiGaps(w http.ResponseWriter, r *http.Request) {
	_, d, err := s.loadGaps(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g := d.Groups
	if g == nil {
		g = []report.GapGroup{}
	}
	writeJSON(w, map[string]any{"policy": d.Policy, "gaps": g})
}

func (s *server) apiMiniPrograms(w http.ResponseWriter, r *http.Request) {
	m, err := s.src.MiniPrograms(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if m == nil {
		m = []report.MiniProgram{}
	}
	writeJSON(w, map[string]any{"miniprograms": m})
}

func (s *server) apiLocations(w http.ResponseWriter, r *http.Request) {
	locs, err := s.src.Locations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]report.Location, len(locs))
	for i, l := range locs {
		out[i] = s.red.location(l)
	}
	writeJSON(w, map[string]any{"locations": out})
}

func (s *server) apiDiff(w http.ResponseWriter, r *http.Request) {
	d, err := s.src.Diff(r.Context(), r.URL.Query().Get("a"), r.URL.Query().Get("b"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, s.redactDiff(d))
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}
