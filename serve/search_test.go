package serve

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestSearchMatchesWhatIsShown: with redaction on, a raw identifier (or a
// prefix of it) matches nothing, so it cannot be rebuilt a character at a
// time; its pseudonym matches; with --reveal the raw value matches. Both
// sources (a report folder, a corpus store) behave alike.
func TestSearchMatchesWhatIsShown(t *testing.T) {
	mem, _ := fixtureSource(t)
	st, _ := storeStudy(t)
	for name, src := range map[string]Source{"report": mem, "store": st} {
		t.Run(name, func(t *testing.T) {
			search := func(h http.Handler, q string) SearchResult {
				t.Helper()
				resp, body := get(t, h, "/api/search?q="+url.QueryEscape(q))
				var res SearchResult
				if resp.StatusCode != http.StatusOK || json.Unmarshal([]byte(body), &res) != nil {
					t.Fatalf("q=%q: %d %s", q, resp.StatusCode, body)
				}
				return res
			}
			hidden := mustNew(t, src, Options{})
			for _, q := range []string{testWxid, testWxid[:8], testWxid[:7] + "z"} {
				if res := search(hidden, q); len(res.Hits) != 0 {
					t.Errorf("redacted: q=%q matched %d hits: %+v", q, len(res.Hits), res.Hits[0])
				}
			}
			res := search(hidden, "[account_id ")
			if len(res.Hits) == 0 {
				t.Fatal("no hit shows an account_id pseudonym")
			}
			pseudo := regexp.MustCompile(`\[account_id [a-z2-7]{8}\]`).FindString(res.Hits[0].Text)
			if pseudo == "" {
				t.Fatalf("hit %q holds no pseudonym", res.Hits[0].Text)
			}
			if res := search(hidden, pseudo[12:18]); len(res.Hits) == 0 {
				t.Errorf("redacted: part of the pseudonym %s matched nothing", pseudo)
			} else if strings.Contains(res.Hits[0].Text, testWxid) {
				t.Errorf("redacted: a hit shows %s", testWxid)
			}
			shown := mustNew(t, src, Options{Reveal: true})
			if res := search(shown, testWxid[:8]); len(res.Hits) == 0 {
				t.Errorf("--reveal: q=%q matched nothing", testWxid[:8])
			}
		})
	}
}

// TestBadQueries: an over-long search and a negative limit or offset are
// the user's to fix: 400, not 500 or a silent default.
func TestBadQueries(t *testing.T) {
	src, _ := fixtureSource(t)
	h := mustNew(t, src, Options{})
	for _, target := range []string{
		"/api/search?q=" + strings.Repeat("a", maxQuery+1), "/search?q=" + strings.Repeat("a", maxQuery+1),
		"/api/requests?limit=-1", "/api/requests?offset=-5", "/api/requests?limit=x", "/requests?offset=-5",
	} {
		if resp, body := get(t, h, target); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%.60s: %d %.200s", target, resp.StatusCode, body)
		}
	}
	if resp, _ := get(t, h, "/api/search?q="+strings.Repeat("a", maxQuery)); resp.StatusCode != http.StatusOK {
		t.Errorf("a query of %d bytes: %d", maxQuery, resp.StatusCode)
	}
}

// runSearch reads a window of raw hits first and searches again only when
// hidden values leave the page short: with any window it shows what one
// search up to MaxLimit shows.
func TestSearchWindowChangesNothing(t *testing.T) {
	st, _ := storeStudy(t)
	for _, reveal := range []bool{false, true} {
		h := mustNew(t, st, Options{Reveal: reveal})
		for _, q := range []string{"a", "wx", "[account_id ", testWxid[:8], "e", "1", "cgi", "位置", "no such value"} {
			get := func() string {
				_, body := get(t, h, "/api/search?q="+url.QueryEscape(q))
				return body
			}
			defer func(n int) { searchWindow = n }(searchWindow)
			searchWindow = MaxLimit
			want := get()
			for _, w := range []int{1, 2, 7} {
				searchWindow = w
				if got := get(); got != want {
					t.Errorf("reveal %v, q=%q, window %d:\n%s\nwant\n%s", reveal, q, w, got, want)
				}
			}
		}
	}
}
