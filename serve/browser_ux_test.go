package serve

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// requestLog records every URL the browser asked for.
type requestLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *requestLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.urls
	l.urls = nil
	return out
}

// waitFor polls a JavaScript condition until it holds (bounded: the
// test fails rather than waits forever; no timing is asserted).
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		// An error is a page between two documents: poll again.
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && (`+cond+`)`)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("condition never held: %s", cond)
}

// screenshot saves the whole page as NAME.png in the screenshot folder.
func screenshot(t *testing.T, ctx context.Context, dir, name string, width int64) {
	t.Helper()
	run(t, ctx, chromedp.EmulateViewport(width, 900))
	h := run(t, ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
	run(t, ctx, chromedp.EmulateViewport(width, min(h, 4000)))
	png := run(t, ctx, chromedp.CaptureScreenshot())
	run(t, ctx, chromedp.EmulateViewport(width, 900))
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func screenshotDir(t *testing.T) string {
	dir := os.Getenv(screenshotEnv)
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserUX drives the researcher's features in Chromium, on a report
// folder and on a corpus holding the same runs: the search box, the Diff
// page, claims, keyboard, sorting, exports, compare, dark mode, the map
// and the timeline; nothing is fetched from outside the server and the
// CSP holds.
func TestBrowserUX(t *testing.T) {
	ctx, bl := browser(t)
	reqs := &requestLog{}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil {
			reqs.mu.Lock()
			reqs.urls = append(reqs.urls, e.Request.URL)
			reqs.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	media := func(scheme string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			t.Fatal(err)
		}
	}
	dir := screenshotDir(t)
	srcs := bothSources(t)
	for _, name := range []string{"report", "corpus"} {
		srv := httptest.NewServer(mustNew(t, srcs[name], Options{}))
		defer srv.Close()
		nav := func(t *testing.T, path string) {
			t.Helper()
			run(t, ctx, chromedp.Navigate(srv.URL+path))
		}
		run(t, ctx, chromedp.EmulateViewport(1280, 900))
		t.Run(name+"/search box keeps its query", func(t *testing.T) {
			nav(t, "/")
			run(t, ctx, chromedp.SendKeys(chromedp.CSS(".search input"), "mmsnspost\r"))
			run(t, ctx, chromedp.WaitVisible(chromedp.CSS("table.hits")))
			if v := run(t, ctx, chromedp.Evaluate[string](`document.querySelector(".search input").value`)); v != "mmsnspost" {
				t.Errorf("search box holds %q after the search", v)
			}
			if n := run(t, ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("table.hits td")].filter(td => td.textContent.includes("(endpoint)")).length`)); n == 0 {
				t.Error("no endpoint hit")
			}
		})
		t.Run(name+"/diff preselects two runs", func(t *testing.T) {
			nav(t, "/diff")
			ab := run(t, ctx, chromedp.Evaluate[[]string](`[document.querySelector("select[name=a]").value, document.querySelector("select[name=b]").value]`))
			if len(ab) != 2 || ab[0] == "" || ab[0] == ab[1] {
				t.Errorf("diff preselects %q", ab)
			}
		})
		t.Run(name+"/claims as the report states them", func(t *testing.T) {
			nav(t, "/")
			words := run(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#claims .verdict")].map(e => e.textContent)`))
			if len(words) == 0 {
				t.Fatal("no claims shown")
			}
			for _, w := range words {
				if w != "supported" && w != "contradicted" && w != "not testable" {
					t.Errorf("verdict word %q", w)
				}
			}
			colours := run(t, ctx, chromedp.Evaluate[map[string]string](`(() => { const m = {};
				for (const c of document.querySelectorAll("#claims article.claim")) {
					const tone = [...c.classList].find(x => x !== "claim");
					m[tone] = getComputedStyle(c.querySelector(".verdict")).backgroundColor; }
				return m; })()`))
			seen := map[string]string{}
			for tone, c := range colours {
				if other, ok := seen[c]; ok {
					t.Errorf("tones %s and %s share the colour %s", tone, other, c)
				}
				seen[c] = tone
			}
			if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#claims blockquote.study").length`)); n == 0 {
				t.Error("no study sentence shown")
			}
			screenshot(t, ctx, dir, name+"-overview-claims", 1280)
		})
		t.Run(name+"/keyboard", func(t *testing.T) {
			nav(t, "/requests")
			run(t, ctx, chromedp.KeyEvent("/"))
			if f := run(t, ctx, chromedp.Evaluate[bool](`document.activeElement === document.querySelector(".search input")`)); !f {
				t.Error("/ does not focus the search box")
			}
			run(t, ctx, chromedp.Evaluate[any](`document.activeElement.blur()`))
			run(t, ctx, chromedp.KeyEvent("j"))
			run(t, ctx, chromedp.KeyEvent("j"))
			run(t, ctx, chromedp.KeyEvent("j"))
			run(t, ctx, chromedp.KeyEvent("k"))
			sel := run(t, ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("table.nav-list tbody tr")].findIndex(r => r.classList.contains("sel"))`))
			if sel != 1 {
				t.Fatalf("after j j j k the selected row is %d, want 1", sel)
			}
			want := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("table.nav-list tbody tr.sel a").href`))
			run(t, ctx, chromedp.KeyEvent("\r"))
			waitFor(t, ctx, `location.href === `+jsString(want))
			screenshot(t, ctx, dir, name+"-request-after-enter", 1280)
		})
		t.Run(name+"/sortable columns", func(t *testing.T) {
			// The request list sorts every matching request (server side).
			nav(t, "/requests?limit=10")
			bytes := `[...document.querySelectorAll("table.reqs tbody tr")].map(r => parseFloat(r.cells[7].textContent))`
			run(t, ctx, chromedp.Evaluate[any](`document.querySelector("table.reqs thead th:nth-child(8) a").click()`))
			waitFor(t, ctx, `location.search.includes("sort=size") && document.querySelector("table.reqs thead th:nth-child(8)").getAttribute("aria-sort") === "ascending"`)
			asc := run(t, ctx, chromedp.Evaluate[[]float64](bytes))
			if !sort.Float64sAreSorted(asc) || asc[0] == asc[len(asc)-1] {
				t.Errorf("bytes not sorted up: %v", asc)
			}
			run(t, ctx, chromedp.Evaluate[any](`document.querySelector("table.reqs thead th:nth-child(8) a").click()`))
			waitFor(t, ctx, `location.search.includes("sort=-size") && document.querySelector("table.reqs thead th:nth-child(8)").getAttribute("aria-sort") === "descending"`)
			desc := run(t, ctx, chromedp.Evaluate[[]float64](bytes))
			if !sort.SliceIsSorted(desc, func(i, j int) bool { return desc[i] > desc[j] }) {
				t.Errorf("bytes not sorted down: %v", desc)
			}
			if s := run(t, ctx, chromedp.Evaluate[string](`document.querySelector("table.reqs thead th:nth-child(8)").getAttribute("aria-sort")`)); s != "descending" {
				t.Errorf("aria-sort %q", s)
			}
			screenshot(t, ctx, dir, name+"-requests-sorted", 1280)
			// Other lists sort the rows shown, in the page.
			nav(t, "/locations")
			col := `[...document.querySelectorAll("table.cards tbody tr")].map(r => r.cells[2].textContent)`
			run(t, ctx, chromedp.Evaluate[any](`document.querySelector("table.cards thead th:nth-child(3)").click()`))
			enc := run(t, ctx, chromedp.Evaluate[[]string](col))
			if !sort.StringsAreSorted(enc) || enc[0] == enc[len(enc)-1] {
				t.Errorf("encodings not sorted: %q", enc)
			}
		})
		t.Run(name+"/exports take the list's filter", func(t *testing.T) {
			where := "data_type=location,coarse_location"
			nav(t, "/requests?where="+url.QueryEscape(where)+"&q="+url.QueryEscape("android"))
			total := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.reqs tbody tr").length`))
			lines := run(t, ctx, chromedp.Evaluate[int](`(async () => {
				const a = document.querySelector("a.export[href^='/export/requests.jsonl']");
				const r = await fetch(a.href);
				return (await r.text()).trim().split("\n").filter(x => x).length; })()`, chromedp.EvalAwaitPromise))
			if total == 0 || lines != total {
				t.Errorf("the list shows %d requests, its JSONL export %d", total, lines)
			}
			csvRows := run(t, ctx, chromedp.Evaluate[int](`(async () => {
				const a = document.querySelector("a.export[href^='/export/requests.csv']");
				const r = await fetch(a.href);
				return (await r.text()).trim().split("\n").length - 1; })()`, chromedp.EvalAwaitPromise))
			if csvRows != total {
				t.Errorf("the list shows %d requests, its CSV export %d", total, csvRows)
			}
			screenshot(t, ctx, dir, name+"-requests-filtered-export", 1280)
		})
		t.Run(name+"/compare two requests", func(t *testing.T) {
			var page struct {
				Requests []Request `json:"requests"`
			}
			getJSON(t, mustNew(t, srcs[name], Options{}), "/api/requests?where="+url.QueryEscape("run~hostile"), &page)
			nav(t, "/requests/"+url.PathEscape(page.Requests[0].ID))
			run(t, ctx, chromedp.Evaluate[any](`document.querySelector('p.actions a[href^="/compare"]').click()`))
			waitFor(t, ctx, `location.pathname === "/compare"`)
			nav(t, compareHref(page.Requests[0].ID, page.Requests[1].ID))
			summary := run(t, ctx, chromedp.Text(chromedp.CSS("#cmp-summary")))
			if !strings.Contains(summary, "1 field added") || !strings.Contains(summary, "changed") {
				t.Errorf("compare summary %q", summary)
			}
			if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".cmp-head .side").length`)); n != 2 {
				t.Errorf("%d sides", n)
			}
			if title := run(t, ctx, chromedp.Title()); strings.Contains(title, "pwned") {
				t.Fatal("hostile script ran on the compare page")
			}
			screenshot(t, ctx, dir, name+"-compare", 1280)
			screenshot(t, ctx, dir, name+"-compare-400", 400)
		})
		t.Run(name+"/map and timeline", func(t *testing.T) {
			nav(t, "/locations")
			d := run(t, ctx, chromedp.Evaluate[int](`document.querySelector("svg.world path.land").getAttribute("d").length`))
			if d < 10000 {
				t.Errorf("world outline path is %d characters", d)
			}
			dots := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.world circle").length`))
			rows := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.cards tbody tr").length`))
			if dots == 0 || dots != rows {
				t.Errorf("%d dots for %d coordinates", dots, rows)
			}
			// A dot is drawn over land (the synthetic coordinates are in
			// Shenzhen): the point under its centre is in the land path.
			onLand := run(t, ctx, chromedp.Evaluate[bool](`(() => {
				const svg = document.querySelector("svg.world"), c = svg.querySelector("circle"), land = svg.querySelector("path.land");
				const p = svg.createSVGPoint(); p.x = +c.getAttribute("cx"); p.y = +c.getAttribute("cy");
				return land.isPointInFill(p); })()`))
			if !onLand {
				t.Error("the first coordinate is not over land")
			}
			screenshot(t, ctx, dir, name+"-locations", 1280)
			screenshot(t, ctx, dir, name+"-locations-400", 400)
			nav(t, "/miniprograms")
			ev := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".timeline polygon.ev").length`))
			bars := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".timeline rect.bar").length`))
			if ev == 0 || bars == 0 {
				t.Errorf("timeline: %d UI events, %d page bars", ev, bars)
			}
			screenshot(t, ctx, dir, name+"-miniprograms", 1280)
		})
		t.Run(name+"/dark mode", func(t *testing.T) {
			media("dark")
			defer media("light")
			for _, p := range []struct{ name, path string }{{"overview", "/"}, {"request", "/requests?where=" + url.QueryEscape("run~hostile")}, {"locations", "/locations"}} {
				nav(t, p.path)
				bg := run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
				if bg != "rgb(18, 22, 27)" {
					t.Errorf("%s: body background %s in dark mode", p.name, bg)
				}
				screenshot(t, ctx, dir, name+"-dark-"+p.name, 1280)
			}
		})
		t.Run(name+"/nothing from outside, no CSP violation", func(t *testing.T) {
			bl.take()
			reqs.take()
			for _, p := range []string{"/", "/requests", "/locations", "/miniprograms", "/gaps", "/diff", "/compare?a=x&b=y", "/search?q=" + url.QueryEscape(chineseWord)} {
				nav(t, p)
			}
			time.Sleep(200 * time.Millisecond)
			for _, m := range bl.take() {
				if !strings.Contains(m, "404") { // the compare of unknown requests answers 404
					t.Errorf("browser said: %s", m)
				}
			}
			urls := reqs.take()
			if len(urls) == 0 {
				t.Fatal("the request log heard nothing")
			}
			for _, u := range urls {
				if !strings.HasPrefix(u, srv.URL+"/") {
					t.Errorf("the page loaded %s", u)
				}
			}
		})
		srv.Close()
	}
	fmt.Fprintln(os.Stderr, "screenshots in", dir)
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }
