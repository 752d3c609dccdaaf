package policy

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// testModel is a small hand-made model exercising every gap class.
const testModel = `
name: test
title: Test Policy
operator: Test Ltd.
version: "1"
date: 2024-01-02
applies_to:
  description: everyone
  phone_country_codes: ["*"]
first_party: [wechat]
categories:
  - name: stuff
    includes: [device_information, network_type]
  - name: everything
    includes: [personal_information]
    vague: true
disclosures:
  - id: msg
    data_types: [message_content]
    collector: first_party
    features: [messaging]
    clause: {section: "1", text: messages, source: test, certainty: high}
  - id: dev
    data_types: [stuff]
    collector: first_party
    features: [any]
    clause: {section: "2", text: device info, source: test, certainty: high}
  - id: vague-usage
    data_types: [usage_information]
    collector: first_party
    features: [messaging]
    vague: true
    clause: {section: "3", text: information to run the service, source: test, certainty: medium}
  - id: vague-cat
    data_types: [everything]
    collector: first_party
    features: [moments]
    clause: {section: "3b", text: anything, source: test, certainty: low}
  - id: loc
    data_types: [location_information]
    collector: first_party
    features: [location]
    permission: location
    clause: {section: "4", text: location with permission, source: test, certainty: medium}
  - id: mp
    data_types: [miniprogram_usage]
    collector: miniprogram_developer
    features: [miniprograms]
    clause: {section: "5", text: developers collect usage, source: test, certainty: high}
  - id: third
    data_types: [email]
    collector: third_party
    features: [any]
    clause: {section: "6", text: partners get email, source: test, certainty: high}
handoffs:
  - id: hand
    features: [search, channels]
    policy: weixin
    operator: Weixin
    clause: {section: "7", text: operated by Weixin, source: test, certainty: high}
`

func mustLoad(t testing.TB, src string) *Model {
	t.Helper()
	m, err := LoadModel(strings.NewReader(src), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEvaluateKinds(t *testing.T) {
	m := mustLoad(t, testModel)
	tests := []struct {
		name       string
		flow       Flow
		want       Verdict
		wantClause string
		wantText   []string
	}{
		{"consistent", Flow{DataType: "message_content", Recipient: "wechat", Feature: "messaging"}, Consistent, "msg", []string{"discloses this"}},
		{"consistent through category", Flow{DataType: "os_version", Recipient: "wechat", Feature: "telemetry"}, Consistent, "dev", nil},
		{"consistent through nested category", Flow{DataType: "network_type", Recipient: "wechat", Feature: "login"}, Consistent, "dev", nil},
		{"consistent third party subsumes developer", Flow{DataType: "email", Recipient: "miniprogram_developer", Feature: "miniprograms"}, Consistent, "third", nil},
		{"consistent developer", Flow{DataType: "miniprogram_page_path", Recipient: "miniprogram_developer", Feature: "miniprograms"}, Consistent, "mp", nil},
		{"omitted", Flow{DataType: "contacts_social_graph", Recipient: "wechat", Feature: "contacts"}, Omitted, "", []string{"No statement in the Test Policy covers it"}},
		{"omitted other feature", Flow{DataType: "message_content", Recipient: "wechat", Feature: "contacts"}, Omitted, "msg", []string{"only during messaging", "not during contact loading"}},
		{"incorrect entity mini program", Flow{DataType: "miniprogram_page_path", Recipient: "wechat", Feature: "miniprograms", ReqTypes: []int{1009}}, IncorrectEntity, "mp",
			[]string{"only as collected by the Mini Program's developer", "not by WeChat itself", "request type 1009"}},
		{"incorrect entity via telemetry batch", Flow{DataType: "miniprogram_id", Recipient: "wechat", Feature: "telemetry"}, IncorrectEntity, "mp", nil},
		{"mini program id in another feature", Flow{DataType: "miniprogram_id", Recipient: "wechat", Feature: "login"}, IncorrectEntity, "mp", nil},
		{"usage in telemetry without subject", Flow{DataType: "ui_events", Recipient: "wechat", Feature: "telemetry"}, Omitted, "", nil},
		{"usage in telemetry about a mini program", Flow{DataType: "ui_events", Recipient: "wechat", Feature: "telemetry", Subject: "wx0123456789abcdef"}, IncorrectEntity, "mp", nil},
		{"subject not an appid", Flow{DataType: "ui_events", Recipient: "wechat", Feature: "telemetry", Subject: "wx0123456789ABCDEF"}, Omitted, "", nil},
		{"incorrect entity third party only", Flow{DataType: "email", Recipient: "wechat", Feature: "login"}, IncorrectEntity, "third", []string{"third parties"}},
		{"governed elsewhere channels", Flow{DataType: "device_id", Recipient: "weixin", Feature: "channels"}, GovernedElsewhere, "hand", []string{"leaves it to the Weixin Privacy Protection Guidelines"}},
		{"governed elsewhere search", Flow{DataType: "search_query", Recipient: "weixin", Feature: "search"}, GovernedElsewhere, "hand", nil},
		{"ambiguous vague disclosure", Flow{DataType: "ui_events", Recipient: "wechat", Feature: "messaging"}, Ambiguous, "vague-usage", []string{"Only a vague statement"}},
		{"ambiguous vague category", Flow{DataType: "ui_events", Recipient: "wechat", Feature: "moments"}, Ambiguous, "vague-cat", nil},
		{"ambiguous opaque", Flow{DataType: "opaque_encrypted_blob", Recipient: "wechat", Feature: "config"}, Ambiguous, "", []string{"could not read"}},
		{"location permission on", Flow{DataType: "location", Recipient: "wechat", Feature: "location", Permissions: taxonomy.PermOn}, Consistent, "loc", []string{"permissions on"}},
		{"location permission off", Flow{DataType: "location", Recipient: "wechat", Feature: "location", Permissions: taxonomy.PermOff}, Omitted, "loc", []string{"permissions off", "only with the location permission"}},
		{"location permission unknown", Flow{DataType: "coarse_location", Recipient: "wechat", Feature: "location"}, Ambiguous, "loc", []string{"permission state is unknown"}},
		{"location in mini program", Flow{DataType: "location", Recipient: "wechat", Feature: "miniprograms", Permissions: taxonomy.PermOn}, Omitted, "loc", []string{"only during location features"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.flow.Run = "r"
			gaps := Evaluate(m, []Flow{tt.flow}, Options{})
			if len(gaps) != 1 {
				t.Fatalf("got %d gaps, want 1", len(gaps))
			}
			g := gaps[0]
			if g.Verdict != tt.want || g.Clause != tt.wantClause {
				t.Errorf("got %s/%q, want %s/%q\n%s", g.Verdict, g.Clause, tt.want, tt.wantClause, g.Explanation)
			}
			if g.Policy != "test" || g.DataType != tt.flow.DataType || g.Recipient != tt.flow.Recipient {
				t.Errorf("gap does not describe its flow: %+v", g)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(g.Explanation, s) {
					t.Errorf("explanation lacks %q: %s", s, g.Explanation)
				}
			}
		})
	}
}

func TestEvaluateFollowHandoffs(t *testing.T) {
	m := mustLoad(t, testModel)
	fl := []Flow{{DataType: "device_id", Recipient: "weixin", Feature: "channels", Run: "r"}}
	gaps := Evaluate(m, fl, Options{FollowHandoffs: true})
	if g := gaps[0]; g.Elsewhere == nil || g.Elsewhere.Policy != "weixin" || g.Elsewhere.Verdict != Ambiguous {
		t.Fatalf("got %+v, want weixin/ambiguous", g.Elsewhere)
	}
	gaps = Evaluate(m, fl, Options{FollowHandoffs: true, Resolve: func(string) (*Model, error) { return m, nil }})
	if gaps[0].Elsewhere != nil {
		t.Errorf("a model resolving to itself must not be followed")
	}
}

func TestEvaluateOrderAndOmit(t *testing.T) {
	m := mustLoad(t, testModel)
	fl := []Flow{
		{DataType: "message_content", Recipient: "wechat", Feature: "messaging"},
		{DataType: "contacts_social_graph", Recipient: "wechat", Feature: "contacts"},
		{DataType: "device_id", Recipient: "weixin", Feature: "channels"},
		{DataType: "miniprogram_id", Recipient: "wechat", Feature: "miniprograms"},
	}
	var kinds []Verdict
	for _, g := range Evaluate(m, fl, Options{}) {
		kinds = append(kinds, g.Verdict)
	}
	want := []Verdict{Omitted, IncorrectEntity, GovernedElsewhere, Consistent}
	if strings.Join(kindStrings(kinds), ",") != strings.Join(kindStrings(want), ",") {
		t.Errorf("got order %v, want %v", kinds, want)
	}
	if n := len(Evaluate(m, fl, Options{OmitConsistent: true})); n != 3 {
		t.Errorf("OmitConsistent: got %d gaps, want 3", n)
	}
}

func kindStrings(ks []Verdict) []string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return s
}

// TestBuiltinWeChat checks the shipped WeChat model against the findings of
// Citizen Lab (doc/policy-facts.md).
func TestBuiltinWeChat(t *testing.T) {
	m, err := Builtin(WeChat)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		flow Flow
		want Verdict
	}{
		{Flow{DataType: "miniprogram_page_path", Recipient: "wechat", Feature: "miniprograms"}, IncorrectEntity},
		{Flow{DataType: "miniprogram_id", Recipient: "wechat", Feature: "miniprograms"}, IncorrectEntity},
		{Flow{DataType: "usage_statistics", Recipient: "wechat", Feature: "telemetry", Subject: "wx0123456789abcdef"}, IncorrectEntity},
		{Flow{DataType: "usage_statistics", Recipient: "wechat", Feature: "telemetry"}, Omitted},
		{Flow{DataType: "coarse_location", Recipient: "wechat", Feature: "moments", Permissions: taxonomy.PermOn}, Omitted},
		{Flow{DataType: "miniprogram_page_path", Recipient: "miniprogram_developer", Feature: "miniprograms"}, Consistent},
		{Flow{DataType: "location", Recipient: "wechat", Feature: "miniprograms", Permissions: taxonomy.PermOn}, IncorrectEntity},
		{Flow{DataType: "location", Recipient: "wechat", Feature: "location", Permissions: taxonomy.PermOn}, Consistent},
		{Flow{DataType: "location", Recipient: "wechat", Feature: "location", Permissions: taxonomy.PermOff}, Omitted},
		{Flow{DataType: "device_id", Recipient: "weixin", Feature: "channels"}, GovernedElsewhere},
		{Flow{DataType: "search_query", Recipient: "weixin", Feature: "search"}, GovernedElsewhere},
		{Flow{DataType: "message_content", Recipient: "wechat", Feature: "messaging"}, Consistent},
		{Flow{DataType: "moments_content", Recipient: "wechat", Feature: "moments"}, Consistent},
		{Flow{DataType: "device_model", Recipient: "wechat", Feature: "messaging"}, Ambiguous},
		{Flow{DataType: "account_id", Recipient: "wechat", Feature: "sync"}, Consistent},
	}
	for _, tt := range tests {
		g := Evaluate(m, []Flow{tt.flow}, Options{})[0]
		if g.Verdict != tt.want {
			t.Errorf("%s/%s/%s: got %s (%s), want %s", tt.flow.DataType, tt.flow.Feature, tt.flow.Recipient, g.Verdict, g.Clause, tt.want)
		}
	}
	w, err := Builtin(Weixin)
	if err != nil {
		t.Fatal(err)
	}
	g := Evaluate(w, []Flow{{DataType: "device_id", Recipient: "weixin", Feature: "channels"}}, Options{})[0]
	if g.Verdict != Ambiguous {
		t.Errorf("weixin channels: got %s, want ambiguous", g.Verdict)
	}
}

func TestApplicable(t *testing.T) {
	for cc, want := range map[string]string{"86": "weixin", "+86": "weixin", "44": "wechat", "1": "wechat", "+852": "wechat", "": "wechat"} {
		if got := Applicable(cc); got != want {
			t.Errorf("Applicable(%q) = %q, want %q", cc, got, want)
		}
	}
}

func BenchmarkEvaluate(b *testing.B) {
	m, err := Builtin(WeChat)
	if err != nil {
		b.Fatal(err)
	}
	var flows []Flow
	for i, dt := range dataTypes {
		for j, ft := range Features {
			perm := []string{taxonomy.PermOn, taxonomy.PermOff, taxonomy.PermUnknown}[(i+j)%3]
			rc := []string{taxonomy.RecipientWeChat, taxonomy.RecipientWeixin, taxonomy.RecipientMPDeveloper}[(i*j)%3]
			flows = append(flows, Flow{DataType: dt, Feature: ft, Recipient: rc, Run: "run", Permissions: perm, FindingIDs: []string{"f:1"}})
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(m, flows, Options{FollowHandoffs: true})
	}
	b.ReportMetric(float64(len(flows))*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

// BenchmarkCheck is `wxaudit policy check` without the I/O: findings.jsonl
// bytes to flows to gaps.jsonl.
func BenchmarkCheck(b *testing.B) {
	one, err := os.ReadFile(filepath.Join("testdata", "findings.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	in := bytes.Repeat(one, 200)
	m, _ := Builtin(WeChat)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		flows, err := ReadFindings(bytes.NewReader(in), "findings.jsonl", ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := WriteGaps(io.Discard, Evaluate(m, flows, Options{FollowHandoffs: true})); err != nil {
			b.Fatal(err)
		}
	}
}
