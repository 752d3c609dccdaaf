package serve

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/wxaudit/wxaudit/report"
)

// screenshotEnv names a folder to keep the browser tests' screenshots in;
// unset, they go to a temporary folder.
const screenshotEnv = "WXAUDIT_SCREENSHOTS"

// browser starts Debian's chromium headless, with a fresh profile and no
// background traffic. Skipped when chromium is missing, except in CI
// (CI set) where it must be installed.
func browser(t *testing.T) (context.Context, *browserLog) {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("WXAUDIT_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium not installed (CI or WXAUDIT_REQUIRE_BROWSER=1)")
		}
		t.Skip("chromium not installed")
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin), chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("hide-scrollbars", true), chromedp.UserDataDir(t.TempDir()))
	bl := &browserLog{}
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithListener(bl.event))
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if _, err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return ctx, bl
}

// browserLog collects what the page said: console messages, exceptions,
// dialogs (a hostile string that ran would open one or change the title).
type browserLog struct {
	mu   sync.Mutex
	msgs []string
}

func (b *browserLog) event(ev any) {
	var m string
	switch e := ev.(type) {
	case *log.EventEntryAdded:
		m = string(e.Entry.Source) + ": " + e.Entry.Text
	case *runtime.EventConsoleAPICalled:
		m = "console." + string(e.Type)
	case *runtime.EventExceptionThrown:
		m = "exception: " + e.ExceptionDetails.Text
	case *cdppage.EventJavascriptDialogOpening:
		m = "dialog: " + e.Message
	default:
		return
	}
	b.mu.Lock()
	b.msgs = append(b.msgs, m)
	b.mu.Unlock()
}

func (b *browserLog) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.msgs
	b.msgs = nil
	return out
}

func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestBrowser(t *testing.T) {
	ctx, bl := browser(t)
	src, rep := studySource(t)
	srv := httptest.NewServer(mustNew(t, src, Options{}))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on loopback: %s", srv.URL)
	}
	hostileID := ""
	for _, q := range rep.Requests {
		if strings.HasPrefix(q.Run, "hostile") {
			hostileID = fmt.Sprint(q.ID)
			break
		}
	}
	nav := func(path string) {
		t.Helper()
		run(t, ctx, chromedp.Navigate(srv.URL+path))
	}

	t.Run("overview lists the runs", func(t *testing.T) {
		nav("/")
		text := run(t, ctx, chromedp.Text(chromedp.CSS("table.runs")))
		for _, r := range rep.Runs {
			if !strings.Contains(text, r.Label) {
				t.Errorf("runs table lacks %q:\n%s", r.Label, text)
			}
		}
		if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.matrix tbody tr").length`)); n < 10 {
			t.Errorf("runs × data types table has %d rows", n)
		}
		// The hostile run label is text, not markup.
		if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("table.runs b").length`)); n != 0 {
			t.Error("run label became markup")
		}
	})

	t.Run("search finds a Chinese substring", func(t *testing.T) {
		nav("/")
		run(t, ctx, chromedp.SendKeys(chromedp.CSS(".search input"), chineseWord+"\r"))
		run(t, ctx, chromedp.WaitVisible(chromedp.CSS("table.hits")))
		loc := run(t, ctx, chromedp.Location())
		if !strings.Contains(loc, "/search?q="+url.QueryEscape(chineseWord)) {
			t.Errorf("search URL %s", loc)
		}
		marks := run(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("table.hits mark")].map(m => m.textContent)`))
		if len(marks) != 2 || marks[0] != chineseWord {
			t.Errorf("marked matches %q, want two of %q", marks, chineseWord)
		}
		// The hit links to the value in its request.
		run(t, ctx, chromedp.Click(chromedp.CSS("table.hits a")))
		// The click navigates; wait (bounded) for the new page to settle
		// on its fragment, since a loaded machine can be slow.
		target := ""
		for i := 0; i < 50 && target != "n-2"; i++ {
			time.Sleep(100 * time.Millisecond)
			target = run(t, ctx, chromedp.Evaluate[string](`document.querySelector("#tree") && document.querySelector(":target") ? document.querySelector(":target").id : ""`))
		}
		if target != "n-2" {
			t.Errorf("search hit opened #%s, want #n-2", target)
		}
	})

	t.Run("request view highlights a finding; hostile strings stay text", func(t *testing.T) {
		nav("/requests/" + hostileID)
		found := run(t, ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#tree li.found > mark")].map(m => m.textContent)`))
		if !contains(found, "os_version") {
			t.Errorf("highlighted findings in the tree: %q", found)
		}
		bg := run(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#tree li.found > .v")).backgroundColor`))
		if bg == "" || bg == "rgba(0, 0, 0, 0)" {
			t.Errorf("found value not highlighted (background %q)", bg)
		}
		if n := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll("#hex .hit").length`)); n == 0 {
			t.Error("no finding span marked in the hex view")
		}
		title := run(t, ctx, chromedp.Title())
		if strings.Contains(title, "pwned") {
			t.Fatalf("hostile script ran: title %q", title)
		}
		counts := run(t, ctx, chromedp.Evaluate[map[string]int](`({
			img: document.querySelectorAll("img").length,
			script: document.querySelectorAll("script").length,
			js: document.querySelectorAll("a[href^='javascript:' i]").length,
			handlers: [...document.querySelectorAll("*")].filter(e => [...e.attributes].some(a => a.name.startsWith("on"))).length})`))
		if counts["img"] != 0 || counts["script"] != 1 || counts["js"] != 0 || counts["handlers"] != 0 {
			t.Errorf("hostile strings became markup: %v", counts)
		}
		text := run(t, ctx, chromedp.Text(chromedp.CSS("#tree")))
		for _, s := range []string{scriptText, imgText, jsURL} {
			if !strings.Contains(text, s) {
				t.Errorf("tree does not show %q as text", s)
			}
		}
		if strings.Contains(text, testWxid) {
			t.Error("account id shown without --reveal")
		}
	})

	t.Run("no console errors or CSP violations", func(t *testing.T) {
		// The listener hears the page: a console message shows up.
		bl.take()
		run(t, ctx, chromedp.Evaluate[any](`console.error("probe")`))
		time.Sleep(200 * time.Millisecond)
		if got := bl.take(); !contains(got, "console.error") {
			t.Fatalf("browser log did not hear a console message: %q", got)
		}
		for _, p := range []string{"/", "/requests", "/requests/" + hostileID, "/miniprograms", "/locations", "/gaps", "/diff?a=all_permissions_on&b=location_denied"} {
			nav(p)
		}
		time.Sleep(200 * time.Millisecond)
		for _, m := range bl.take() {
			t.Errorf("browser said: %s", m)
		}
	})

	t.Run("screenshots at 1280 and 400 px, no horizontal scroll", func(t *testing.T) {
		dir := os.Getenv(screenshotEnv)
		if dir == "" {
			dir = t.TempDir()
		} else if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		views := []struct{ name, path string }{
			{"overview", "/"},
			{"requests", "/requests?where=" + url.QueryEscape("data_type=location,coarse_location")},
			{"request", "/requests/" + hostileID},
			{"request-location", "/requests/" + firstWith(rep, "location")},
			{"search", "/search?q=" + url.QueryEscape(chineseWord)},
			{"miniprograms", "/miniprograms"},
			{"locations", "/locations"},
			{"gaps", "/gaps"},
			{"diff", "/diff?a=all_permissions_on&b=location_denied"},
		}
		for _, w := range []int64{1280, 400} {
			run(t, ctx, chromedp.EmulateViewport(w, 900))
			for _, v := range views {
				nav(v.path)
				over := run(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
				if over > 0 {
					t.Errorf("%s at %d px scrolls sideways by %d px", v.name, w, over)
				}
				// The whole page, up to a height worth looking at.
				h := run(t, ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
				run(t, ctx, chromedp.EmulateViewport(w, min(h, 4000)))
				png := run(t, ctx, chromedp.CaptureScreenshot())
				run(t, ctx, chromedp.EmulateViewport(w, 900))
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", v.name, w)), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// firstWith returns the ID of the first request with a finding of type dt.
func firstWith(rep *report.Report, dt string) string {
	for _, f := range rep.Findings {
		if f.DataType == dt {
			return fmt.Sprint(f.Request)
		}
	}
	return "0"
}
