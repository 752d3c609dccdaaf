package claims

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/report"
)

// doc/claims.md defines every claim; this test keeps it and the code in
// step: a section per claim with its source, the study sentence verbatim,
// every number key the claim states (nested ones too), and the thresholds
// with the values the code uses.
func TestClaimsDocInStep(t *testing.T) {
	b, err := os.ReadFile("../doc/claims.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	sections := map[string]string{}
	for _, part := range strings.Split(doc, "\n## ")[1:] {
		head, body, _ := strings.Cut(part, "\n")
		sections[head] = body
	}
	cs := Compute(richReport(), Options{})
	if len(cs) != len(IDs) {
		t.Fatalf("%d claims, %d IDs", len(cs), len(IDs))
	}
	for i, c := range cs {
		if c.ID != IDs[i] {
			t.Errorf("claim %d is %s, IDs says %s", i, c.ID, IDs[i])
		}
		head := fmt.Sprintf("`%s` (%s)", c.ID, c.Source)
		body, ok := sections[head]
		if !ok {
			t.Errorf("doc/claims.md has no section %q", "## "+head)
			continue
		}
		if c.StudySentence != "" && !strings.Contains(strings.Join(strings.Fields(body), " "), `"`+c.StudySentence+`"`) {
			t.Errorf("%s: the study sentence is not quoted verbatim in its section", c.ID)
		}
		for _, k := range numberKeys(t, c.Numbers) {
			if !strings.Contains(body, "`"+k+"`") {
				t.Errorf("%s: number %q is not defined in its section", c.ID, k)
			}
		}
	}
	for _, want := range []string{
		fmt.Sprintf("at least %d requests (`min_excess_requests`)", minExcessRequests),
		fmt.Sprintf("at least %.0f%% of the\n  feature's requests (`min_excess_share`)", minExcessShare*100),
		fmt.Sprintf("at least %d requests (`min_core_requests`)", minCoreRequests),
		fmt.Sprintf("stamps less than %d seconds apart are one launch", sessionGap/1000),
		fmt.Sprintf("at least %.0f%% of requests carry all four", majority*100),
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("doc/claims.md does not state %q", want)
		}
	}
}

// numberKeys lists the keys of a claim's numbers, nested objects' keys
// included, as claims.json holds them.
func numberKeys(t *testing.T, numbers map[string]any) []string {
	t.Helper()
	b, err := json.Marshal(numbers)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var walk func(v any, dataKeys bool)
	walk = func(v any, dataKeys bool) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				// Maps keyed by data (appids, features, data types,
				// kinds) hold objects whose own keys are the numbers.
				if !dataKeys {
					seen[k] = true
				}
				walk(e, keyedByData[k])
			}
		case []any:
			for _, e := range x {
				walk(e, false)
			}
		}
	}
	walk(v, false)
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	return out
}

// keyedByData are the numbers whose keys are data, not names.
var keyedByData = map[string]bool{"miniprograms": true, "features": true, "per_feature": true, "beyond_need": true,
	"by_kind": true, "share_per_type": true, "per_type": true, "requests_with_personal_data": true}

// richReport exercises every number: core features with an excess, Mini
// Program activity with sessions and stay times, location on and off, and
// a policy with every kind of gap.
func richReport() *report.Report {
	const app = "wx0000000000000001"
	b := (&rb{}).run("off", "off")
	b.req("location", "wechat", baseRequest...)
	b.run("on", "on")
	for range 6 {
		b.req("messaging", "wechat", "message_content", "location")
	}
	b.req("miniprograms", "wechat", "miniprogram_page_path@"+app, "usage_statistics@"+app, "ui_events@"+app)
	b.r.Findings[len(b.r.Findings)-2].MPSession = "hash=1&ts=1700000000108"
	b.r.Findings[len(b.r.Findings)-2].MPPage = "page/index"
	b.req("search", "weixin", "search_query")
	var gaps []report.Gap
	for _, k := range []string{"incorrect_entity", "omitted", "governed_elsewhere", "ambiguous"} {
		gaps = append(gaps, report.Gap{Kind: k, DataType: "ui_events", Feature: "search", Recipient: "wechat", Run: "on", Clause: "c",
			Findings: []string{b.r.Findings[0].ID}})
	}
	b.r.Policy = &report.PolicyResult{Model: "m", Title: "Policy", Version: "2022-09-09", Gaps: gaps}
	return &b.r
}
