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
	b.r.Requests = append(b.r.Requests, report.Request{ID: id, Run: run.Label, Feature: feature, Recipient: recipient, URI: "/cgi-bin/x", Size: 10})
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

// One incidental finding must not flip the verdict: only a highly
// sensitive type beyond need on at least 3 requests and 10% of the
// feature's requests contradicts; the rest is listed as an exception.
func TestCoreFeaturesNeed(t *testing.T) {
	build := func(withLocation, of int) *report.Report {
		b := (&rb{}).run("r", "unknown")
		for i := range of {
			if i < withLocation {
				b.req("messaging", "wechat", "message_content", "location")
			} else {
				b.req("messaging", "wechat", "message_content")
			}
		}
		return &b.r
	}
	tests := []struct {
		name         string
		r            *report.Report
		verdict      string
		concern      bool
		want, except string
	}{
		{"needed only", build(0, 6), report.Supported, false, "not significantly more", ""},
		{"one incidental fix", build(1, 20), report.Supported, false, "not significantly more", "coordinates during messaging (1 of 20 requests"},
		{"two of twenty: under the count", build(2, 20), report.Supported, false, "not significantly more", "2 of 20"},
		{"three of forty: under the share", build(3, 40), report.Supported, false, "not significantly more", "3 of 40"},
		{"repeated fixes", build(3, 6), report.Contradicted, true, "coordinates during messaging (3 of 6 requests", ""},
		{"too few requests", build(0, 2), report.NotTestable, false, "too little", ""},
		{"no core feature used", func() *report.Report {
			b := (&rb{}).run("r", "unknown")
			b.req("miniprograms", "wechat", "ui_events")
			return &b.r
		}(), report.NotTestable, false, "No core feature", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claim(t, tt.r, CoreFeaturesNeed)
			if c.Verdict != tt.verdict || c.Concern != tt.concern || !strings.Contains(c.Statement, tt.want) {
				t.Errorf("got %s (concern %v): %q", c.Verdict, c.Concern, c.Statement)
			}
			if tt.except != "" && !strings.Contains(strings.Join(c.Exceptions, "|"), tt.except) {
				t.Errorf("exceptions %q lack %q", c.Exceptions, tt.except)
			}
		})
	}
}

func TestCoreFeaturesNeedIgnoresLowConfidence(t *testing.T) {
	b := (&rb{}).run("r", "unknown")
	for range 6 {
		b.req("messaging", "wechat", "message_content", "location")
		b.r.Findings[len(b.r.Findings)-1].Confidence = "low"
	}
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
	for range 6 {
		b.req("messaging", "wechat", "location")
	}
	if c := Compute(&b.r, Options{})[0]; c.Verdict != report.Contradicted {
		t.Fatalf("without the user's need: %s %s", c.Verdict, c.Statement)
	}
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
	const app = "wx0000000000000001"
	b := (&rb{}).run("a", "unknown")
	b.req("miniprograms", "wechat", "miniprogram_page_path@"+app, "usage_statistics@"+app, "ui_events@"+app)
	b.run("b", "unknown")
	b.req("messaging", "wechat", "message_content")
	c := claim(t, &b.r, MiniProgramTracking)
	if c.Verdict != report.Supported || !c.Concern || c.Numbers["share_runs_with_miniprogram_activity"] != 0.5 || c.Numbers["miniprograms_with_activity"] != 1 {
		t.Errorf("got %s, numbers %v", c.Verdict, c.Numbers)
	}
	if !strings.Contains(c.Statement, app) || !strings.Contains(c.Statement, "1 of 2 runs") {
		t.Errorf("statement %q", c.Statement)
	}

	// Usage sent to the developer only is not WeChat's collection; an appid
	// named in a package line shows no use: not testable, never
	// contradicted.
	b = (&rb{}).run("a", "unknown")
	b.req("miniprograms", "miniprogram_developer", "ui_events@"+app)
	b.req("miniprograms", "wechat", "miniprogram_id")
	b.r.Findings[1].Evidence.Value = app
	if c := claim(t, &b.r, MiniProgramTracking); c.Verdict != report.NotTestable || c.Numbers["appids_named_without_activity"] != 1 {
		t.Errorf("appid named only: got %s %v", c.Verdict, c.Numbers)
	}
	// A stated session with no activity to WeChat contradicts.
	b.r.Findings[0].MPSession = "s1"
	if c := claim(t, &b.r, MiniProgramTracking); c.Verdict != report.Contradicted {
		t.Errorf("session without activity: got %s", c.Verdict)
	}
	// A UI event that no appid accompanies is not Mini Program data.
	b = (&rb{}).run("a", "unknown")
	b.req("telemetry", "wechat", "ui_events")
	if c := claim(t, &b.r, MiniProgramTracking); c.Verdict != report.NotTestable {
		t.Errorf("no Mini Program: got %s", c.Verdict)
	}
}

// The units of doc/claims.md: API calls and results are not UI events,
// two fields of one event record are one event, load times are not stay
// times, a stay time is one (appid, page, session) value, and sessions are
// the stated session ids.
func TestMiniProgramUnits(t *testing.T) {
	const app = "wx0000000000000001"
	b := (&rb{}).run("a", "on")
	b.req("miniprograms", "wechat", "ui_events@"+app, "ui_events@"+app, "ui_events@"+app, "ui_events@"+app,
		"usage_statistics@"+app, "usage_statistics@"+app, "usage_statistics@"+app, "usage_statistics@"+app)
	fs := b.r.Findings
	fs[0].Evidence = report.Evidence{FieldPath: "2.7.dataArray[][].errMsg", Value: "getLocation:ok"}
	fs[1].Evidence = report.Evidence{FieldPath: "3.api_name", Value: "webapi_getwxabusinessconfig"}
	fs[2].Evidence, fs[2].Entry = report.Evidence{FieldPath: "2.7", Value: `{"eventID":1007}`}, 4
	fs[3].Evidence, fs[3].Entry = report.Evidence{FieldPath: "2.7.eventID", Value: "1007"}, 4
	fs[4].Evidence = report.Evidence{FieldPath: "2.2.costtime", Value: "2111"}
	for i, sess := range []string{"s1", "s1", "s2"} {
		f := &fs[5+i]
		f.Evidence = report.Evidence{FieldPath: "2.2.staytime", Value: "11317"}
		f.MPSession, f.MPPage = sess, "page/index"
	}
	c := claim(t, &b.r, MiniProgramTracking)
	n := c.Numbers["miniprograms"].(map[string]MPNumbers)[app]
	if n.UIEvents != 1 || n.StayTimes != 2 || n.LoadTimes != 1 || n.Sessions != 2 {
		t.Errorf("units: %+v", n)
	}
}

func TestLocationWithPermission(t *testing.T) {
	tests := []struct {
		name    string
		runs    [][3]string // label, permissions, "location" or ""
		verdict string
		concern bool
		want    string
	}{
		{"on and off", [][3]string{{"off", "off", ""}, {"on", "on", "location"}}, report.Supported, true, "With the location permission granted"},
		{"per-permission grammar", [][3]string{{"off", "location=off,contacts=on", ""}, {"on", "location=on", "location"}}, report.Supported, true, "granted"},
		{"no run with it off", [][3]string{{"on", "on", "location"}, {"u", "unknown", ""}}, report.NotTestable, false, "permission off"},
		{"no run with it on", [][3]string{{"off", "off", ""}}, report.NotTestable, false, "with it on"},
		{"location without permission", [][3]string{{"off", "off", "location"}, {"on", "on", "location"}}, report.Contradicted, true, "did not let more location flow"},
		{"location not used with it on", [][3]string{{"off", "off", ""}, {"on", "on", ""}}, report.NotTestable, false, "used a feature that asks for location"},
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
				b.req("config", "wechat", types...)
			}
			c := claim(t, &b.r, LocationWithPermission)
			if c.Verdict != tt.verdict || c.Concern != tt.concern || !strings.Contains(c.Statement, tt.want) {
				t.Errorf("got %s (concern %v): %q", c.Verdict, c.Concern, c.Statement)
			}
		})
	}
}

// A run that remains of a cumulative log after a prefix, spanning several
// app starts, never carries a contradiction alone; the exception says
// what it is.
func TestLocationDerivedRun(t *testing.T) {
	b := &rb{}
	b.run("on", "on")
	b.req("location", "wechat", "location")
	b.run("rest", "off")
	b.r.Runs[1].Extends, b.r.Runs[1].SkipLines, b.r.Runs[1].Lines, b.r.Runs[1].Source = "on", 350, 952, "logs/cumulative.log.jsonl"
	for range 3 {
		b.req("login", "wechat", "location")
		b.r.Requests[len(b.r.Requests)-1].URI = "/cgi-bin/micromsg-bin/secautoauth"
	}
	c := claim(t, &b.r, LocationWithPermission)
	if c.Verdict != report.NotTestable || !c.Concern {
		t.Fatalf("got %s (concern %v): %q", c.Verdict, c.Concern, c.Statement)
	}
	ex := strings.Join(c.Exceptions, "|")
	for _, want := range []string{"lines 351-952 of cumulative.log.jsonl", "3 app starts", "with the permission off: 3 requests"} {
		if !strings.Contains(ex, want) {
			t.Errorf("exceptions %q lack %q", ex, want)
		}
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
	if c := claim(t, &b.r, MetadataInRequests); c.Verdict != report.Contradicted || !c.Concern {
		t.Errorf("2 of 5: got %s (concern %v)", c.Verdict, c.Concern)
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

// Launch stamps a few milliseconds apart are one launch; ids without a
// stamp count one each.
func TestCountSessions(t *testing.T) {
	ids := map[string]bool{
		"hash=1&ts=1700000000100&host=": true, "hash=1&ts=1700000000108&device=2": true, // one launch, two stamps
		"hash=1&ts=1700000300000": true, "hash=1&ts=1700000311342": true, // two launches, 11 s apart
		"opaque": true, // no stamp
	}
	if n := countSessions(ids); n != 4 {
		t.Errorf("countSessions = %d, want 4", n)
	}
}

// A run whose requests state the location permission both granted and
// denied held more than one experiment.
func TestPermissionChangeWithinRun(t *testing.T) {
	b := &rb{}
	b.run("off", "off")
	b.req("config", "wechat", "device_id")
	b.run("on", "on")
	b.req("miniprograms", "wechat", "permissions_state", "permissions_state", "location")
	fs := b.r.Findings
	fs[len(fs)-3].Evidence.Value = `"scope.userLocation":true`
	fs[len(fs)-2].Evidence.Value = `"scope.userLocation":false`
	c := claim(t, &b.r, LocationWithPermission)
	if !strings.Contains(strings.Join(c.Exceptions, "|"), "the location permission both granted and denied") {
		t.Errorf("exceptions %q do not say the permission changed", c.Exceptions)
	}
}
