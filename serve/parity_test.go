package serve

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/report"
)

// bothSources serves the study fixture from a report folder's source and
// from a corpus store holding the same runs; the corpus's claims are the
// report's (a corpus reads them from its claims.json).
func bothSources(t *testing.T) map[string]Source {
	t.Helper()
	sts, mem := storeStudy(t)
	sts.claims = mem.rep.Claims
	return map[string]Source{"report": mem, "corpus": sts}
}

// getJSON fetches target from h and decodes its JSON into v.
func getJSON(t *testing.T, h http.Handler, target string, v any) {
	t.Helper()
	res, body := get(t, h, target)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %.300s", target, res.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%s: %v", target, err)
	}
}

// TestParity runs the same checks on a report folder and a corpus: every
// answer that does not depend on the ID scheme must be the same.
func TestParity(t *testing.T) {
	srcs := bothSources(t)
	got := map[string]map[string]string{}
	for name, src := range srcs {
		h := mustNew(t, src, Options{})
		out := map[string]string{}
		got[name] = out
		t.Run(name, func(t *testing.T) {
			// Grouped gaps, most serious first.
			var gaps struct {
				Gaps []report.GapGroup `json:"gaps"`
			}
			getJSON(t, h, "/api/gaps", &gaps)
			if len(gaps.Gaps) == 0 {
				t.Fatal("no gaps")
			}
			rank := func(k string) int {
				for i, x := range report.GapSeverity {
					if x == k {
						return i
					}
				}
				return len(report.GapSeverity)
			}
			var keys []string
			seen := map[string]bool{}
			for i, g := range gaps.Gaps {
				if i > 0 && rank(gaps.Gaps[i-1].Kind) > rank(g.Kind) {
					t.Errorf("gap %d (%s) after a less serious one (%s)", i, g.Kind, gaps.Gaps[i-1].Kind)
				}
				runs := append([]string(nil), g.Runs...)
				sort.Strings(runs)
				k := strings.Join([]string{g.Kind, g.DataType, g.Feature, g.Recipient, g.Clause, itoa(g.Findings), strings.Join(runs, ",")}, "|")
				if seen[k] {
					t.Errorf("gap listed twice: %s", k)
				}
				seen[k] = true
				keys = append(keys, k)
			}
			sort.Strings(keys)
			out["gaps"] = strings.Join(keys, "\n")

			var runs struct {
				Claims []report.Claim `json:"claims"`
				Gaps   int            `json:"gaps"`
			}
			getJSON(t, h, "/api/runs", &runs)
			if runs.Gaps != len(gaps.Gaps) {
				t.Errorf("overview counts %d gaps, the gaps list has %d", runs.Gaps, len(gaps.Gaps))
			}
			if len(runs.Claims) == 0 {
				t.Error("no claims")
			}
			b, _ := json.Marshal(runs.Claims)
			out["claims"] = string(b)

			// A finding's URL without ?run= leads to its request.
			fid := gaps.Gaps[0].Evidence[0]
			res, _ := get(t, h, "/findings/"+url.PathEscape(fid))
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("/findings/%s: %d", fid, res.StatusCode)
			}
			loc := res.Header.Get("Location")
			res, page := get(t, h, strings.SplitN(loc, "#", 2)[0])
			if res.StatusCode != 200 || !strings.Contains(page, `id="`+fid+`"`) {
				t.Errorf("/findings/%s led to %s (%d), which does not hold it", fid, loc, res.StatusCode)
			}
			if res, _ := get(t, h, "/findings/fnope"); res.StatusCode != http.StatusNotFound {
				t.Errorf("unknown finding: %d", res.StatusCode)
			}

			// Search: endpoints, decoded values and finding values.
			for _, q := range []string{"mmsnspost", chineseWord, "android-34"} {
				var sr SearchResult
				getJSON(t, h, "/api/search?q="+url.QueryEscape(q), &sr)
				var hs []string
				for _, hit := range sr.Hits {
					hs = append(hs, hit.Run+"|"+hit.Where+"|"+hit.Path+"|"+hit.Text)
				}
				sort.Strings(hs)
				if len(hs) == 0 {
					t.Errorf("search %q: no hit", q)
				}
				out["search "+q] = strings.Join(hs, "\n")
			}

			// Overview and gaps pages state the claims and gaps alike.
			_, page = get(t, h, "/")
			for _, c := range runs.Claims {
				if !strings.Contains(page, `class="claim `+c.Tone()+`" id="claim-`+c.ID+`"`) {
					t.Errorf("overview: claim %s not coloured by its tone %s", c.ID, c.Tone())
				}
				if c.StudySentence != "" && !strings.Contains(page, htmlEscape(c.StudySentence)) {
					t.Errorf("overview: claim %s without its study sentence", c.ID)
				}
				if c.Next != "" && !strings.Contains(page, htmlEscape(c.Next)) {
					t.Errorf("overview: claim %s without what to capture next", c.ID)
				}
			}
			if strings.Contains(page, ">not_testable<") || strings.Contains(page, ">not_testable ") {
				t.Error("overview shows the raw verdict not_testable")
			}
			_, page = get(t, h, "/gaps")
			if n := strings.Count(page, `<article class="gap">`); n != len(gaps.Gaps)-len(filterKind(gaps.Gaps, "ambiguous")) {
				t.Errorf("gaps page shows %d serious gaps, want %d", n, len(gaps.Gaps)-len(filterKind(gaps.Gaps, "ambiguous")))
			}

			// Summaries link to requests that exist.
			for _, p := range []string{"/miniprograms", "/locations"} {
				_, page := get(t, h, p)
				links := hrefs(page, "/requests/")
				if len(links) == 0 {
					t.Errorf("%s links no request", p)
				}
				for _, l := range links[:min(len(links), 5)] {
					if res, _ := get(t, h, l); res.StatusCode != 200 {
						t.Errorf("%s links %s: %d", p, l, res.StatusCode)
					}
				}
			}
		})
	}
	for k, want := range got["report"] {
		if g := got["corpus"][k]; g != want {
			t.Errorf("%s differs:\ncorpus:\n%s\nreport:\n%s", k, g, want)
		}
	}
}

func filterKind(gs []report.GapGroup, kind string) []report.GapGroup {
	var out []report.GapGroup
	for _, g := range gs {
		if g.Kind == kind {
			out = append(out, g)
		}
	}
	return out
}

// hrefs returns the href values in page that start with prefix, unescaped.
func hrefs(page, prefix string) []string {
	var out []string
	for _, part := range strings.Split(page, `href="`)[1:] {
		v := part[:strings.IndexByte(part, '"')]
		v = strings.NewReplacer("&amp;", "&", "&#43;", "+", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'").Replace(v)
		if strings.HasPrefix(v, prefix) {
			out = append(out, strings.SplitN(v, "#", 2)[0])
		}
	}
	return out
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestSortAcrossPages: the request list sorts all matching requests, the
// same way on a report folder and a corpus, page after page.
func TestSortAcrossPages(t *testing.T) {
	srcs := bothSources(t)
	for _, key := range append(SortKeys, "-size", "-time", "-endpoint") {
		orders := map[string]string{}
		for name, src := range srcs {
			h := mustNew(t, src, Options{})
			var all []Request
			for off := 0; ; off += 7 {
				var p struct {
					Requests []Request `json:"requests"`
					Total    int       `json:"total"`
				}
				getJSON(t, h, "/api/requests?limit=7&offset="+itoa(off)+"&sort="+url.QueryEscape(key), &p)
				all = append(all, p.Requests...)
				if off+7 >= p.Total {
					break
				}
			}
			var ks []string
			for _, q := range all {
				ks = append(ks, q.Run+"#"+itoa(q.Seq))
			}
			orders[name] = strings.Join(ks, " ")
			if key == "size" || key == "-size" {
				for i := 1; i < len(all); i++ {
					if (key == "size") != (all[i-1].Size <= all[i].Size) && all[i-1].Size != all[i].Size {
						t.Errorf("%s %s: %d before %d", name, key, all[i-1].Size, all[i].Size)
					}
				}
			}
		}
		if orders["report"] != orders["corpus"] {
			t.Errorf("sort=%s differs:\nreport %s\ncorpus %s", key, orders["report"], orders["corpus"])
		}
	}
	h := mustNew(t, srcs["report"], Options{})
	if res, _ := get(t, h, "/api/requests?sort=payload"); res.StatusCode != 400 {
		t.Errorf("unknown sort key: %d", res.StatusCode)
	}
}
