package serve

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, target string, mod ...func(*http.Request)) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Host = "localhost:8765"
	for _, m := range mod {
		m(req)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func mustNew(t testing.TB, src Source, opts Options) http.Handler {
	t.Helper()
	h, err := New(context.Background(), src, opts)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// routes lists one URL of every page and API endpoint.
var routes = []string{
	"/", "/requests", "/requests?where=" + url.QueryEscape("data_type=os_version"), "/requests/0", "/findings/f1",
	"/search?q=" + url.QueryEscape(chineseWord), "/miniprograms", "/locations", "/gaps", "/diff?a=moments_1&b=moments_1",
	"/static/style.css", "/static/app.js",
	"/api/runs", "/api/requests", "/api/requests/0", "/api/search?q=x", "/api/gaps", "/api/miniprograms", "/api/locations",
	"/api/diff?a=moments_1&b=moments_1",
	"/compare?a=0&b=1", "/api/compare?a=0&b=1", "/export/requests.jsonl", "/export/requests.csv?where=run%3Dmoments_1",
	"/export/requests/0.json", "/export/requests/0.txt",
	"/nope", "/requests/999", "/api/requests/999", "/requests?where=bogus%3D1",
}

func TestEveryResponseCarriesCSP(t *testing.T) {
	src, rep := fixtureSource(t)
	h := mustNew(t, src, Options{})
	for _, target := range routes {
		// Finding IDs are derived from content: take the fixture's first.
		target = strings.Replace(target, "/findings/f1", "/findings/"+rep.Findings[0].ID, 1)
		res, body := get(t, h, target)
		if got := res.Header.Get("Content-Security-Policy"); got != contentSecurityPolicy {
			t.Errorf("%s: CSP %q", target, got)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", target)
		}
		want := http.StatusOK
		switch {
		case strings.Contains(target, "nope") || strings.Contains(target, "999"):
			want = http.StatusNotFound
		case strings.Contains(target, "bogus"):
			want = http.StatusBadRequest
		case strings.HasPrefix(target, "/findings/"):
			want = http.StatusSeeOther
		}
		if res.StatusCode != want {
			t.Errorf("%s: status %d, want %d\n%.300s", target, res.StatusCode, want, body)
		}
		if strings.HasPrefix(target, "/api/") && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: content type %q", target, res.Header.Get("Content-Type"))
		}
	}
}

func TestForeignHostIsForbidden(t *testing.T) {
	src, _ := fixtureSource(t)
	h := mustNew(t, src, Options{AllowedHosts: []string{"lab-box"}})
	tests := []struct {
		host string
		want int
	}{
		{"localhost:8765", 200},
		{"LOCALHOST", 200},
		{"127.0.0.1:8765", 200},
		{"127.1.2.3", 200},
		{"[::1]:8765", 200},
		{"app.localhost:8765", 200},
		{"lab-box:8765", 200},
		{"evil.example:8765", 403},
		{"localhost.evil.example", 403},
		{"127.0.0.1.nip.io", 403},
		{"192.168.1.5:8765", 403},
		{"", 403},
	}
	for _, tt := range tests {
		res, body := get(t, h, "/api/runs", func(r *http.Request) { r.Host = tt.host })
		if res.StatusCode != tt.want {
			t.Errorf("Host %q: status %d, want %d", tt.host, res.StatusCode, tt.want)
		}
		if res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("Host %q: no CSP", tt.host)
		}
		if tt.want == 403 && strings.Contains(body, "moments_1") {
			t.Errorf("Host %q: data leaked in the 403", tt.host)
		}
	}
}

func TestReadOnly(t *testing.T) {
	src, _ := fixtureSource(t)
	h := mustNew(t, src, Options{})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		res, _ := get(t, h, "/api/runs", func(r *http.Request) { r.Method = m })
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d", m, res.StatusCode)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8765": true, "[::1]:80": true, "localhost:1": true, "0.0.0.0:8765": false,
		":8765": false, "192.168.1.2:80": false, "[::]:80": false, "bad": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestSearchFindsChineseSubstring(t *testing.T) {
	src, _ := fixtureSource(t)
	h := mustNew(t, src, Options{})
	_, body := get(t, h, "/api/search?q="+url.QueryEscape(chineseWord))
	var res SearchResult
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err, body)
	}
	reqs := map[string]bool{}
	for _, hit := range res.Hits {
		if !strings.Contains(hit.Text, chineseWord) || hit.Where != "value" {
			t.Errorf("hit %+v does not hold %q", hit, chineseWord)
		}
		reqs[hit.Request] = true
	}
	if !reqs["0"] || !reqs["2"] || len(reqs) != 2 {
		t.Errorf("hits in requests %v, want 0 and 2", reqs)
	}
	_, page := get(t, h, "/search?q="+url.QueryEscape(chineseWord))
	if !strings.Contains(page, "<mark>"+chineseWord+"</mark>") || !strings.Contains(page, `href="/requests/0#n-2"`) {
		t.Errorf("search page does not mark the match:\n%s", page)
	}
}

func TestRequestViewHighlightsAndEscapes(t *testing.T) {
	src, _ := fixtureSource(t)
	h := mustNew(t, src, Options{})
	_, page := get(t, h, "/requests/0")
	for _, want := range []string{
		`<li id="n-1.2" class="found">`, `<mark class="chip dt">os_version</mark>`, testAndroid,
		`<span class="hit">`, `href="/requests/1"`, "[account_id ",
		"&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;",
		"&lt;img src=x onerror=&#34;document.title=&#39;pwned&#39;&#34;&gt;",
		"javascript:document.title=&#39;pwned&#39;",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("request page lacks %q", want)
		}
	}
	for _, bad := range []string{scriptText, "<img src=x", `href="javascript:`, testWxid} {
		if strings.Contains(page, bad) {
			t.Errorf("request page contains %q", bad)
		}
	}
}

func TestRedaction(t *testing.T) {
	src, _ := fixtureSource(t)
	for _, reveal := range []bool{false, true} {
		h := mustNew(t, src, Options{Reveal: reveal})
		for _, target := range []string{"/requests/0", "/api/requests/0", "/search?q=wxid", "/api/search?q=q4k7"} {
			_, body := get(t, h, target)
			if got := strings.Contains(body, testWxid[5:]); got != reveal {
				t.Errorf("reveal=%v %s: account id shown=%v", reveal, target, got)
			}
		}
		_, body := get(t, h, "/api/requests/0")
		if got := strings.Contains(body, "payload_hex"); got != reveal {
			t.Errorf("reveal=%v: raw payload hex shown=%v", reveal, got)
		}
	}
}

func TestRequestsAPIPages(t *testing.T) {
	src, _ := fixtureSource(t)
	h := mustNew(t, src, Options{})
	_, body := get(t, h, "/api/requests?limit=2&offset=1&where="+url.QueryEscape("run=moments_1"))
	var p struct {
		Where    string    `json:"where"`
		Requests []Request `json:"requests"`
		Total    int       `json:"total"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Total != 3 || len(p.Requests) != 2 || p.Requests[0].ID != "1" || p.Where != "run=moments_1" {
		t.Errorf("page: %+v", p)
	}
	_, body = get(t, h, "/api/requests?feature=nothing")
	if !strings.Contains(body, `"total": 0`) {
		t.Errorf("form field not applied: %s", body)
	}
}

func TestVisible(t *testing.T) {
	for in, want := range map[string]string{
		"plain 中文":         "plain 中文",
		"A1234\x00":        "A1234␀",
		"a\u202egnp.exe":   "a\ufffdgnp.exe",
		"zero\u200bwidth":  "zero\ufffdwidth",
		"line\nbreak\ttab": "line\nbreak\ttab",
		"del\x7f":          "del␡",
	} {
		if got := visible(in); got != want {
			t.Errorf("visible(%q) = %q, want %q", in, got, want)
		}
	}
}
