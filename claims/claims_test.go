package claims

import (
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/report"
)

// rb builds small hand-made reports: requests with their findings.
type rb struct{ r report.Report }

func (b *rb) run(label, perms string) *rb {
	b.r.Runs = append(b.r.Runs, report.Run{Label: label, Permissions: perms, Requests: 0})
	return b
}

// req adds a request to the last run with findings of the given types
// (each "type" or "type@appid").
func (b *rb) req(feature, recipient string, types ...string) *rb {
	run := &b.r.Runs[len(b.r.Runs)-1]
	run.Requests++
	id := len(b.r.Requests)
	b.r.Requests = append(b.r.Requests, report.Request{ID: id, Run: run.Label, Feature: feature, Recipient: recipient, URI: "/cgi-bin/x"})
	for _, t := range types {
		dt, app, _ := strings.Cut(t, "@")
		f := report.Finding{ID: "f" + string(rune('a'+len(b.r.Findings)%26)) + strings.Repeat("x", len(b.r.Findings)/26),
			DataType: dt, Confidence: "high", Feature: feature, Recipient: recipient, Run: run.Label, Request: id, AppID: app,
			Permissions: run.Permissions, Evidence: report.Evidence{FieldPath: "1", Value: "v"}}
		if dt == "usage_statistics" {
			f.Evidence.FieldPath = "2.staytime"
		}
		b.r.Findings = append(b.r.Findings, f)
	}
	return b
}

func claim(t *testing.T, r *report.Report, id string) report.Claim {
	t.Helper()
	for _, c := range Compute(r, Options{}) {
		if c.ID == id {
			// Every evidence ID must be a finding of the report.
			ids := map[string]bool{}
			for _, f := range r.Findings {
				ids[f.ID] = true
			}
			for _, e := range c.Evidence {
				if !ids[e] {
					t.Errorf("%s: evidence %s is not a finding", id, e)
				}
			}
			if c.Statement == "" || c.Why == "" || c.Numbers == nil || c.Evidence == nil {
				t.Errorf("%s: incomplete claim %+v", id, c)
			}
			return c
		}
	}
	t.Fatalf("no claim %s", id)
	return report.Claim{}
}

var baseRequest = []string{"account_id", "device_id", "client_version", "os_version"}

func TestCoreFeaturesNeed(t *testing.T) {
	tests := []struct {
		name    string
		build   func() *report.Report
		verdict string
		want    string
	}{
		{"only what messaging needs", func() *report.Report {
			b := (&rb{}).run("r", "unknown")
			b.req("messaging", "wechat", append(baseRequest, "message_content", "contacts_social_graph")...)
			return &b.r
		}, report.Supported, "messaging"},
		{"technical data beyond need still supported", func() *report.Report {
			b := (&rb{}).run("r", "unknown")
			b.req("messaging", "wechat", "message_content", "language_locale")
			return &b.r
		}, report.Supported, "language"},
		{"location during messaging contradicts", func() *report.Report {
			b := (&rb{}).run("r", "unknown")
			b.req("messaging", "wechat", "message_content", "location")
			return &b.r
		}, report.Contradicted, "location"},
		{"no core feature used", func() *report.Report {
			b := (&rb{}).run("r", "unknown")
			b.req("miniprograms", "wechat", "ui_events")
			return &b.r
		}, report.NotTestable, "No core feature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claim(t, tt.build(), CoreFeaturesNeed)
			if c.Verdict != tt.verdict || !strings.Contains(c.Statement, tt.want) {
				t.Errorf("got %s: %q", c.Verdict, c.Statement)
			}
			// The claim is worded as a reassurance: only its
			// contradiction is a privacy problem.
			if concern := c.Verdict == report.Contradicted; c.Concern() != concern {
				t.Errorf("verdict %s: concern %v, want %v", c.Verdict, c.Concern(), concern)
			}
		})
	}
}

func TestCoreFeaturesNeedIgnoresLowConfidence(t *testing.T) {
	b := (&rb{}).run("r", "unknown")
	b.req("messaging", "wechat", "message_content", "location")
	b.r.Findings[1].Confidence = "low"
	if c := claim(t, &b.r, CoreFeaturesNeed); c.Verdict != report.Supported {
		t.Errorf("a low-confidence guess decided the verdict: %s", c.Statement)
	}
}

func TestCustomNeeds(t *testing.T) {
	extra, err := ParseNeeds([]byte("version: 1\nfeatures:\n  messaging:\n    core: true\n    needs:\n      - {type: location, why: sharing a location in a chat}\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := (&rb{}).run("r", "unknown")
	b.req("messaging", "wechat", "location")
	c := Compute(&b.r, Options{Needs: DefaultNeeds().Merge(extra)})[0]
	if c.Verdict != report.Supported {
		t.Errorf("a user's need was ignored: %s %s", c.Verdict, c.Statement)
	}
	for _, bad := range []string{"version: 1\nfeatures: {x: {needs: [{type: nonsense, why: w}]}}", "version: 1\nfeatures: {x: {needs: [{type: location}]}}", "version: 2", "version: 1\ntypo: 1"} {
		if _, err := ParseNeeds([]byte(bad)); err == nil {
			t.Errorf("ParseNeeds(%q) accepted", bad)
		}
	}
}

func TestMiniProgramTracking(t *testing.T) {
	b := (&rb{}).run("a", "unknown")
	b.req("miniprograms", "wechat", "miniprogram_page_path@wx0000000000000001", "usage_statistics@wx0000000000000001", "ui_events@wx0000000000000001")
	b.run("b", "unknown")
	b.req("messaging", "wechat", "message_content")
	c := claim(t, &b.r, MiniProgramTracking)
	if c.Verdict != report.Supported || c.Numbers["share_runs_with_miniprogram_browsing"] != 0.5 {
		t.Errorf("got %s, numbers %v", c.Verdict, c.Numbers)
	}
	if !strings.Contains(c.Statement, "wx0000000000000001") || !strings.Contains(c.Statement, "1 of 2 runs") {
		t.Errorf("statement %q", c.Statement)
	}

	// Usage sent to the developer only is not WeChat's collection.
	b = (&rb{}).run("a", "unknown")
	b.req("miniprograms", "miniprogram_developer", "ui_events@wx0000000000000001")
	b.req("miniprograms", "wechat", "miniprogram_id")
	b.r.Findings[1].Evidence.Value = "wx0000000000000001"
	if c := claim(t, &b.r, MiniProgramTracking); c.Verdict != report.Contradicted {
		t.Errorf("developer-only usage: got %s", c.Verdict)
	}
	// A UI event that no appid accompanies is not Mini Program data.
	b = (&rb{}).run("a", "unknown")
	b.req("telemetry", "wechat", "ui_events")
	if c := claim(t, &b.r, MiniProgramTracking); c.Verdict != report.NotTestable {
		t.Errorf("no Mini Program: got %s", c.Verdict)
	}
}

func TestLocationWithPermission(t *testing.T) {
	tests := []struct {
		name    string
		runs    [][3]string // label, permissions, "location" or ""
		verdict string
		want    string
	}{
		{"on and off", [][3]string{{"off", "off", ""}, {"on", "on", "location"}}, report.Supported, "only in runs where"},
		{"per-permission grammar", [][3]string{{"off", "location=off,contacts=on", ""}, {"on", "location=on", "location"}}, report.Supported, "only in runs where"},
		{"no run with it off", [][3]string{{"on", "on", "location"}, {"u", "unknown", ""}}, report.NotTestable, "permission off"},
		{"no run with it on", [][3]string{{"off", "off", ""}}, report.NotTestable, "with it on"},
		{"location without permission", [][3]string{{"off", "off", "location"}, {"on", "on", "location"}}, report.Contradicted, "even with the location permission off"},
		{"no location at all", [][3]string{{"off", "off", ""}, {"on", "on", ""}}, report.Contradicted, "No precise location"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &rb{}
			for _, r := range tt.runs {
				b.run(r[0], r[1])
				types := []string{"device_id"}
				if r[2] != "" {
					types = append(types, r[2])
				}
				b.req("location", "wechat", types...)
			}
			c := claim(t, &b.r, LocationWithPermission)
			if c.Verdict != tt.verdict || !strings.Contains(c.Statement, tt.want) {
				t.Errorf("got %s: %q", c.Verdict, c.Statement)
			}
		})
	}
}

func TestMetadataInRequests(t *testing.T) {
	b := (&rb{}).run("r", "unknown")
	b.req("sync", "wechat", baseRequest...)
	b.req("sync", "wechat", baseRequest...)
	b.req("telemetry", "wechat", "device_id")
	c := claim(t, &b.r, MetadataInRequests)
	if c.Verdict != report.Supported || c.Numbers["share"] != 0.6667 || c.Numbers["with_all"] != 2 {
		t.Errorf("got %s %v", c.Verdict, c.Numbers)
	}
	if c.Tone() != "concern" {
		t.Errorf("supported metadata claim: tone %q, want concern", c.Tone())
	}
	b.req("telemetry", "wechat")
	b.req("telemetry", "wechat")
	if c := claim(t, &b.r, MetadataInRequests); c.Verdict != report.Contradicted {
		t.Errorf("2 of 5: got %s", c.Verdict)
	}
	if c := claim(t, &(&rb{}).run("r", "unknown").r, MetadataInRequests); c.Verdict != report.NotTestable {
		t.Errorf("no request: got %s", c.Verdict)
	}
}

func TestPolicyGaps(t *testing.T) {
	b := (&rb{}).run("r", "on")
	b.req("miniprograms", "wechat", "miniprogram_page_path")
	if c := claim(t, &b.r, PolicyGaps); c.Verdict != report.NotTestable {
		t.Errorf("no policy: got %s", c.Verdict)
	}
	b.r.Policy = &report.PolicyResult{Model: "m", Title: "Test Policy", Version: "2022-09-09", Gaps: []report.Gap{
		{Kind: "ambiguous", DataType: "device_id", Feature: "sync", Recipient: "wechat", Run: "r", Findings: []string{b.r.Findings[0].ID}},
	}}
	if c := claim(t, &b.r, PolicyGaps); c.Verdict != report.Contradicted {
		t.Errorf("only ambiguous: got %s", c.Verdict)
	}
	b.r.Policy.Gaps = append(b.r.Policy.Gaps,
		report.Gap{Kind: "incorrect_entity", DataType: "miniprogram_page_path", Feature: "miniprograms", Recipient: "wechat", Run: "r", Findings: []string{b.r.Findings[0].ID}},
		report.Gap{Kind: "incorrect_entity", DataType: "miniprogram_page_path", Feature: "miniprograms", Recipient: "wechat", Run: "r2", Findings: []string{b.r.Findings[0].ID}})
	c := claim(t, &b.r, PolicyGaps)
	if c.Verdict != report.Supported || c.Numbers["distinct_gaps"] != 2 || c.Numbers["serious_gaps"] != 1 {
		t.Errorf("got %s %v", c.Verdict, c.Numbers)
	}
	if !strings.Contains(c.Statement, "2022-09-09") {
		t.Errorf("statement does not name the policy version: %q", c.Statement)
	}
}

func TestPermissionState(t *testing.T) {
	for _, tt := range []struct{ field, perm, want string }{
		{"on", "location", "on"}, {"off", "contacts", "off"}, {"", "location", "unknown"}, {"unknown", "x", "unknown"},
		{"location=on,contacts=off", "contacts", "off"}, {"location=on", "contacts", "unknown"}, {"Location = off", "location", "off"},
	} {
		if got := PermissionState(tt.field, tt.perm); got != tt.want {
			t.Errorf("PermissionState(%q, %q) = %q, want %q", tt.field, tt.perm, got, tt.want)
		}
	}
}
