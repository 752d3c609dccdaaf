package serve

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestExports: the list exports take the list's filter and text, on both
// sources, and are redacted as the pages are; one request exports as JSON
// and text, and as raw bytes only with --reveal.
func TestExports(t *testing.T) {
	for name, src := range bothSources(t) {
		t.Run(name, func(t *testing.T) {
			h := mustNew(t, src, Options{})
			where := "run~hostile"
			var page struct {
				Total    int       `json:"total"`
				Requests []Request `json:"requests"`
			}
			getJSON(t, h, "/api/requests?where="+url.QueryEscape(where), &page)
			if page.Total != 3 {
				t.Fatalf("fixture: %d hostile requests", page.Total)
			}
			res, body := get(t, h, "/export/requests.jsonl?where="+url.QueryEscape(where))
			if res.StatusCode != 200 || res.Header.Get("X-Wxaudit-Redacted") != "true" ||
				!strings.Contains(res.Header.Get("Content-Disposition"), `filename="wxaudit-requests.jsonl"`) {
				t.Fatalf("jsonl: %d %v", res.StatusCode, res.Header)
			}
			lines := strings.Split(strings.TrimSpace(body), "\n")
			if len(lines) != page.Total {
				t.Errorf("jsonl has %d lines, the list %d", len(lines), page.Total)
			}
			for i, ln := range lines {
				var q Request
				if err := json.Unmarshal([]byte(ln), &q); err != nil || q.ID != page.Requests[i].ID {
					t.Errorf("jsonl line %d: %v %q, want request %s", i, err, ln, page.Requests[i].ID)
				}
			}
			// The text filter: only the requests with a hit.
			_, body = get(t, h, "/export/requests.csv?where="+url.QueryEscape(where)+"&q="+url.QueryEscape(chineseWord))
			rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 3 || rows[0][0] != "id" || rows[0][6] != "endpoint" || rows[1][6] != testEndpoint {
				t.Errorf("csv with q: %q", rows)
			}
			// The list page says the same and links the exports.
			_, listPage := get(t, h, "/requests?where="+url.QueryEscape(where)+"&q="+url.QueryEscape(chineseWord))
			if !strings.Contains(listPage, "1–2 of 2") || !strings.Contains(listPage, `href="/export/requests.csv?q=`) {
				t.Errorf("list page with q does not list 2 requests with export links")
			}
			if res, _ := get(t, h, "/export/requests.jsonl?where=bogus%3D1"); res.StatusCode != http.StatusBadRequest {
				t.Errorf("bad filter: %d", res.StatusCode)
			}

			id := page.Requests[0].ID
			esc := url.PathEscape(id)
			for _, ext := range []string{"json", "txt"} {
				res, body := get(t, h, "/export/requests/"+esc+"."+ext)
				if res.StatusCode != 200 || res.Header.Get("X-Wxaudit-Redacted") != "true" {
					t.Errorf("%s: %d", ext, res.StatusCode)
				}
				if strings.Contains(body, testWxid) || !strings.Contains(body, "[account_id ") {
					t.Errorf("%s export not redacted as the page:\n%.500s", ext, body)
				}
				if !strings.Contains(body, "android-34") {
					t.Errorf("%s export lacks a shown value", ext)
				}
			}
			_, txt := get(t, h, "/export/requests/"+esc+".txt")
			if !strings.Contains(txt, `2: "`+chineseText+`"  # string`) || !strings.Contains(txt, "1 {  # message") {
				t.Errorf("text export:\n%s", txt)
			}
			if res, body := get(t, h, "/export/requests/"+esc+".bin"); res.StatusCode != http.StatusForbidden || strings.Contains(body, testWxid) {
				t.Errorf("raw bytes without --reveal: %d", res.StatusCode)
			}
			if res, _ := get(t, h, "/export/requests/nope.json"); res.StatusCode != http.StatusNotFound {
				t.Errorf("unknown request: %d", res.StatusCode)
			}

			shown := mustNew(t, src, Options{Reveal: true})
			res, body = get(t, shown, "/export/requests/"+esc+".bin")
			if res.StatusCode != 200 || !strings.Contains(body, testWxid) || res.Header.Get("X-Wxaudit-Redacted") != "false" ||
				!strings.Contains(res.Header.Get("Content-Disposition"), "revealed-not-shareable") {
				t.Errorf("raw bytes with --reveal: %d %v", res.StatusCode, res.Header)
			}
			if _, body := get(t, shown, "/export/requests/"+esc+".json"); !strings.Contains(body, testWxid) {
				t.Error("--reveal JSON export hides the account id")
			}
		})
	}
}

func TestCSVCellDefusesFormulas(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+x": "'+x", "-2": "'-2", "@SUM": "'@SUM", "/cgi": "/cgi", "": ""} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCompare: two requests of the same endpoint, compared by field on
// both sources; RUN:REQ names a request on a report folder too.
func TestCompare(t *testing.T) {
	for name, src := range bothSources(t) {
		t.Run(name, func(t *testing.T) {
			h := mustNew(t, src, Options{})
			var page struct {
				Requests []Request `json:"requests"`
			}
			getJSON(t, h, "/api/requests?where="+url.QueryEscape("run~hostile"), &page)
			a, b := page.Requests[0], page.Requests[1]
			ida, idb := a.ID, b.ID
			if name == "report" {
				ida = a.Run + ":" + a.ID // RUN:REQ
			}
			var res struct {
				Added, Removed, Changed []fieldDiff
				A, B                    struct{ Findings []json.RawMessage }
			}
			getJSON(t, h, "/api/compare?a="+url.QueryEscape(ida)+"&b="+url.QueryEscape(idb), &res)
			has := func(fs []fieldDiff, path string) *fieldDiff {
				for i := range fs {
					if fs[i].Path == path {
						return &fs[i]
					}
				}
				return nil
			}
			// Request 0 has fields 3, 4, 5 (hostile strings), request 1 has 6.
			// (the hostile strings decode further: their leaves are compared)
			if has(res.Removed, "4") == nil || has(res.Removed, "3.script.document.title") == nil || has(res.Added, "6") == nil {
				t.Errorf("added %+v removed %+v", res.Added, res.Removed)
			}
			if c := has(res.Changed, "2"); c == nil || c.A != chineseText || c.B != "second post" {
				t.Errorf("changed %+v", res.Changed)
			}
			if has(res.Changed, "1.1") != nil || has(res.Changed, "1.2") != nil {
				t.Error("equal fields listed as changed")
			}
			if len(res.A.Findings) == 0 || len(res.B.Findings) == 0 {
				t.Error("findings not given for both sides")
			}
			_, body := get(t, h, "/compare?a="+url.QueryEscape(ida)+"&b="+url.QueryEscape(idb))
			for _, want := range []string{`class="cards sortable cmp-changed"`, "&lt;img src=x onerror=", "[account_id "} {
				if !strings.Contains(body, want) {
					t.Errorf("compare page lacks %q", want)
				}
			}
			if strings.Contains(body, imgText) || strings.Contains(body, testWxid) {
				t.Error("compare page shows a hostile string as markup or an account id")
			}
			if res, _ := get(t, h, "/compare?a=nope&b="+url.QueryEscape(idb)); res.StatusCode != http.StatusNotFound {
				t.Errorf("unknown request: %d", res.StatusCode)
			}
		})
	}
}
