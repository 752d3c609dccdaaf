package report

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// planted are the researcher's own values: none may appear in a shareable
// file unless --reveal is given.
var planted = map[string]string{
	"account_id":      "1234567891",
	"device_id":       "A1b2c3d4e5f6a7b8",
	"push_token":      "fcmTOKEN:APA91bHun4MxP5egoKMwt2KZFBaFUH",
	"profile_name":    "Zhang Xiaoming",
	"phone_number":    "+8613800138000",
	"ip_address":      "203.0.113.77",
	"message_content": "meet me at the north gate at 9",
}

const canaryValue = "canary-7f3a9b"

func redactionReport() *Report {
	r := sampleReport()
	n := 0
	add := func(dt, value, rule string) {
		n++
		r.Findings = append(r.Findings, Finding{ID: fmt.Sprintf("p%d", n), DataType: dt, Confidence: "high", Feature: "messaging",
			Recipient: "wechat", Run: "off", Request: 1, Evidence: Evidence{FieldPath: "2.1", Value: value, Rule: rule, Reason: "planted",
				Context: "uin=" + planted["account_id"] + "&dev=" + planted["device_id"]}})
	}
	for dt, v := range planted {
		add(dt, v, "detector:test")
	}
	add("phone_number", canaryValue, "canary:my-phone")
	// The uin also travels in a request path and in another finding's text.
	r.Requests[1].URI = "/cgi-bin/micromsg-bin/newgetdns?uin=" + planted["account_id"]
	add("usage_statistics", "report line with "+planted["device_id"]+" inside", "rule:kv")
	r.Claims = []Claim{{ID: "c", Verdict: Supported, Title: "t", Statement: "the device " + planted["device_id"] + " sent it", Why: "w",
		Numbers: map[string]any{}, Evidence: []string{"p1"}}}
	r.Policy.Gaps = append(r.Policy.Gaps, Gap{Kind: "omitted", DataType: "contacts_social_graph", Run: "off",
		Statement: "During messaging, WeChat sent contacts (about " + planted["profile_name"] + ")", Findings: []string{"p1"}})
	return r
}

var shareable = []string{HTMLFile, MarkdownFile, ClaimsFile, GapsFile, SummaryFile, FlowsFile}

func TestRedactionByDefault(t *testing.T) {
	dir := t.TempDir()
	r := redactionReport()
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range shareable {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for dt, v := range planted {
			if strings.Contains(s, v) {
				t.Errorf("%s shows the %s %q", name, dt, v)
			}
		}
		if strings.Contains(s, canaryValue) {
			t.Errorf("%s prints the canary value", name)
		}
		// The precise coordinate (43.6629, -79.3957) is coarsened to 2 decimals.
		if strings.Contains(s, "43.6629") || strings.Contains(s, "79.3957") {
			t.Errorf("%s shows a precise coordinate", name)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	if !strings.Contains(string(html), "[device_id ") || !strings.Contains(string(html), "[canary my-phone]") {
		t.Error("report.html lacks the pseudonyms")
	}
	// The same value gets the same pseudonym everywhere in one report.
	rd := NewRedactor(r, []byte("k"))
	p := rd.Text(planted["device_id"])
	if got := rd.Text("x " + planted["device_id"] + " y"); got != "x "+p+" y" {
		t.Errorf("inconsistent pseudonym: %q vs %q", got, p)
	}
	// findings.jsonl keeps the values for local work.
	fj, _ := os.ReadFile(filepath.Join(dir, FindingsFile))
	if !strings.Contains(string(fj), planted["device_id"]) {
		t.Error("findings.jsonl lost the value")
	}
}

func TestReveal(t *testing.T) {
	dir := t.TempDir()
	r := redactionReport()
	r.Render.Reveal = true
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	if !strings.Contains(string(html), planted["device_id"]) {
		t.Error("--reveal did not show the device id")
	}
	if strings.Contains(string(html), canaryValue) {
		t.Error("--reveal printed a canary value")
	}
}

func TestUinForms(t *testing.T) {
	// A uin logged as a negative int32 is the same account.
	r := &Report{Findings: []Finding{{ID: "a", DataType: string(taxonomy.AccountID), Evidence: Evidence{Value: "3000000000"}}}}
	rd := NewRedactor(r, []byte("k"))
	if got := rd.Text("uin -1294967296"); strings.Contains(got, "1294967296") {
		t.Errorf("two's-complement form kept: %q", got)
	}
}

// TestClaimsAndPolicyReadBack: claims.json and policy.json come back whole
// (unredacted policy, the claims as shared).
func TestClaimsAndPolicyReadBack(t *testing.T) {
	dir := t.TempDir()
	r := redactionReport()
	r.Render.RedactionKey = []byte("k")
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Claims) != 1 || back.Claims[0].ID != "c" || strings.Contains(back.Claims[0].Statement, planted["device_id"]) {
		t.Errorf("claims: %+v", back.Claims)
	}
	if back.Policy == nil || len(back.Policy.Gaps) != len(r.Policy.Gaps) || back.Policy.Gaps[1].Statement != r.Policy.Gaps[1].Statement {
		t.Errorf("policy: %+v", back.Policy)
	}
}

// A finding's Mini Program session id holds the uin ("hash=<uin>&ts=…"):
// redacted like any text.
func TestRedactsSessionID(t *testing.T) {
	r := &Report{Findings: []Finding{
		{ID: "f1", DataType: "account_id", Confidence: "high", Evidence: Evidence{Value: "1234567890"}},
		{ID: "f2", DataType: "ui_events", Confidence: "high", MPSession: "hash=1234567890&ts=1700000000108", Evidence: Evidence{Value: "x"}},
	}}
	got := NewRedactor(r, make([]byte, 32)).finding(r.Findings[1])
	if strings.Contains(got.MPSession, "1234567890") || !strings.Contains(got.MPSession, "ts=1700000000108") {
		t.Errorf("session id shown as %q", got.MPSession)
	}
}
