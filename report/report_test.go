package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wxaudit/wxaudit/classify"
)

// hostile is planted in a payload value; it must stay inert text.
const hostile = `<script>document.title="pwned";document.body.innerHTML="pwned"</script><img src=x onerror="document.title='pwned'">`

func sampleReport() *Report {
	r := &Report{
		Runs: []Run{{Label: "off", Source: "off.log.jsonl", Lines: 2, Requests: 2, Permissions: "off"},
			{Label: "on_permissions_on", Source: "on.log.jsonl", Extends: "off", SkipLines: 2, Lines: 3, Requests: 1, Permissions: "on"}},
		Requests: []Request{
			{ID: 0, Run: "off", Seq: 1, Feature: "miniprograms", Recipient: "wechat", URI: "/cgi-bin/mmbiz-bin/wxartrappsvr/route", DataTypes: []string{"miniprogram_page_path"}},
			{ID: 1, Run: "off", Seq: 2, Feature: "config", Recipient: "wechat", URI: "/cgi-bin/micromsg-bin/getcdndns"},
			{ID: 2, Run: "on_permissions_on", Seq: 1, Feature: "location", Recipient: "wechat", ReqType: 1948, DataTypes: []string{"location"}},
		},
		Findings: []Finding{
			{ID: "f1", DataType: "miniprogram_page_path", Confidence: "high", Feature: "miniprograms", Recipient: "wechat",
				URI: "/cgi-bin/mmbiz-bin/wxartrappsvr/route", Run: "off", Permissions: "off", Request: 0, AppID: "wx0123456789abcdef",
				Evidence: Evidence{FieldPath: "2.2.page_path", Value: hostile, Rule: "rule:key-page-path", Reason: "a page_path key"},
				Source:   Source{File: "off.log.jsonl", Line: 1}},
			{ID: "f2", DataType: "usage_statistics", Confidence: "high", Feature: "miniprograms", Recipient: "wechat",
				URI: "/cgi-bin/mmbiz-bin/wxartrappsvr/route", Run: "off", Permissions: "off", Request: 0, AppID: "wx0123456789abcdef",
				Evidence: Evidence{FieldPath: "2.2.staytime", Value: "1234", Rule: "rule:key-staytime", Reason: "stay"},
				Source:   Source{File: "off.log.jsonl", Line: 1}},
			{ID: "f3", DataType: "location", Confidence: "high", Feature: "location", Recipient: "wechat", ReqType: 1948,
				Run: "on_permissions_on", Permissions: "on", Request: 2,
				Evidence: Evidence{FieldPath: "2.1+2", Value: "-79.3957,43.6629", Rule: "detector:coordinates-float32", Reason: "pair"},
				Coord:    &classify.Coord{Lat: 43.6629, Lon: -79.3957, PrecisionM: 11.1, Encoding: "float32"},
				Source:   Source{File: "on.log.jsonl", Line: 3}},
		},
		Policy: &PolicyResult{Model: "test", Title: "Test policy", Gaps: []Gap{{Kind: "omitted", DataType: "location", Statement: "WeChat receives " + hostile, Findings: []string{"f3"}}}},
	}
	return r
}

func TestSummarize(t *testing.T) {
	s := sampleReport().Summarize()
	if len(s.MiniPrograms) != 1 || len(s.MiniPrograms[0].Pages) != 1 || s.MiniPrograms[0].Pages[0].StayMS != 1234 {
		t.Errorf("mini programs: got %+v", s.MiniPrograms)
	}
	if len(s.Locations) != 1 || s.Locations[0].Permissions != "on" {
		t.Errorf("locations: got %+v", s.Locations)
	}
	if s.Runs[0].DataTypes["miniprogram_page_path"] != 1 {
		t.Errorf("runs: got %+v", s.Runs)
	}
}

func TestWriteDirEscapes(t *testing.T) {
	dir := t.TempDir()
	if err := sampleReport().WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{FindingsFile, SummaryFile, FlowsFile, MarkdownFile, HTMLFile, GapsFile, RunsFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	if bytes.Contains(html, []byte("<script")) || bytes.Contains(html, []byte("<img")) {
		t.Error("report.html contains an unescaped payload tag")
	}
	if bytes.Contains(html, []byte("http://")) && !bytes.Contains(html, []byte(`xmlns="http://www.w3.org/2000/svg"`)) {
		t.Error("report.html refers to the network")
	}
	md, _ := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if regexp.MustCompile(`(^|[^\\])<(script|img)`).Match(md) {
		t.Error("report.md contains an unescaped payload tag")
	}
	back, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Findings) != 3 || back.Findings[0].Evidence.Value != hostile || len(back.Runs) != 2 {
		t.Errorf("ReadDir: got %d findings, %d runs", len(back.Findings), len(back.Runs))
	}
}

// chromium returns the browser, skipping the test when it is missing
// (except in CI, CI=true, where it must be installed).
func chromium(t *testing.T) string {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("WXAUDIT_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium not installed (CI or WXAUDIT_REQUIRE_BROWSER=1)")
		}
		t.Skip("chromium not installed")
	}
	return bin
}

// renderDOM loads page in headless Chromium at the given window size and
// returns the DOM after layout.
func renderDOM(t *testing.T, bin, page string, width, height int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic", "--user-data-dir="+t.TempDir(),
		fmt.Sprintf("--window-size=%d,%d", width, height), "--virtual-time-budget=3000", "--dump-dom", page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// TestHTMLInChromium renders report.html in headless Chromium: the charts are
// present, the answers come first and the hostile payload stays text.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	r := sampleReport()
	r.Claims = []Claim{{ID: "core_features_need", Verdict: Supported, Title: "Core features", Statement: "claim text " + hostile, Why: "why", Numbers: map[string]any{}, Evidence: []string{"f1"}}}
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	dom := renderDOM(t, bin, "file://"+filepath.Join(dir, HTMLFile), 1280, 900)
	for _, want := range []string{`<svg class="timeline"`, `<table class="matrix"`, `<svg class="map"`, `id="miniprograms"`, `id="locations"`, `id="policy"`, `id="f1"`, "<circle", `id="claim-core_features_need"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %s", want)
		}
	}
	if i, j := strings.Index(dom, `id="answers"`), strings.Index(dom, `id="runs"`); i < 0 || j < 0 || i > j {
		t.Error("the answers do not come first")
	}
	if strings.Contains(dom, "pwned</title>") || strings.Contains(dom, "<title>pwned") || strings.Contains(dom, "<body>pwned") {
		t.Error("hostile payload executed")
	}
	if strings.Contains(dom, "<script") || strings.Contains(dom, "<img") {
		t.Error("hostile payload became markup")
	}
	if !strings.Contains(dom, "&lt;script&gt;document.title") {
		t.Error("hostile payload not shown as text")
	}
}

// TestHTMLLayoutInChromium measures the page as a reader sees it: the
// answers are on the first screen at 1280 px, and at 400 px (a phone) the
// page does not scroll sideways (wide tables and charts scroll in their own
// boxes). The page itself runs no script, so a copy without its CSP gets a
// probe script that writes the measures into the title.
func TestHTMLLayoutInChromium(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	r := bigReport(300)
	r.Claims = append(r.Claims, Claim{ID: "y", Verdict: NotTestable, Title: "Another", Statement: strings.Repeat("long words ", 40), Why: "w"})
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	probe := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy"[^>]*>`).ReplaceAllString(string(b), "")
	probe = strings.Replace(probe, "</body>", `<script>document.title="probe "+document.documentElement.scrollWidth+" "+window.innerWidth+" "+Math.round(document.getElementById("answers").getBoundingClientRect().top)+" "+window.innerHeight</script></body>`, 1)
	page := filepath.Join(dir, "probe.html")
	if err := os.WriteFile(page, []byte(probe), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int{{1280, 900}, {400, 850}} {
		dom := renderDOM(t, bin, "file://"+page, size[0], size[1])
		m := regexp.MustCompile(`<title>probe (\d+) (\d+) (-?\d+) (\d+)</title>`).FindStringSubmatch(dom)
		if m == nil {
			t.Fatalf("%dpx: probe did not run", size[0])
		}
		scrollW, innerW, answersTop, innerH := atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4])
		if scrollW > innerW {
			t.Errorf("%dpx: the page scrolls sideways (%d > %d)", size[0], scrollW, innerW)
		}
		if answersTop >= innerH {
			t.Errorf("%dpx: the answers start below the first screen (%d ≥ %d)", size[0], answersTop, innerH)
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func BenchmarkWriteDir(b *testing.B) {
	r := bigReport(500)
	dir := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if err := r.WriteDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}
