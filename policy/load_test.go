package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// validModel is the smallest valid model; badModel tests edit it.
const validModel = `name: t
title: T
operator: O
version: "1"
date: 2024-01-02
applies_to:
  description: everyone
  phone_country_codes: ["*"]
first_party: [wechat]
disclosures:
  - id: a
    data_types: [device_id]
    collector: first_party
    features: [any]
    clause:
      section: "1"
      text: device id
      source: test
      certainty: high
`

func TestLoadModelValid(t *testing.T) {
	m := mustLoad(t, validModel)
	if m.Name != "t" || len(m.Disclosures) != 1 || m.Disclosures[0].Line != 11 || !m.AppliesToCountry("44") {
		t.Errorf("got %+v", m)
	}
	if !m.Covers("device_information", "device_id") || !m.Covers("personal_information", "location") || m.Covers("device_id", "location") {
		t.Errorf("category cover is wrong")
	}
}

func TestLoadModelErrors(t *testing.T) {
	edit := func(old, new string) string {
		if !strings.Contains(validModel, old) {
			t.Fatalf("validModel lacks %q", old)
		}
		return strings.Replace(validModel, old, new, 1)
	}
	tests := []struct {
		name string
		in   string
		want string // "file:line: message" prefix of the first problem
	}{
		{"empty", "", "t.yaml:1: empty model"},
		{"not yaml", "name: [\n", "t.yaml:1: bad YAML"},
		{"tab indent", "name: t\n\tfoo: 1\n", "t.yaml:2: bad YAML"},
		{"not a mapping", "- a\n- b\n", "t.yaml:1: model must be a mapping, not a list"},
		{"unknown top field", validModel + "colour: red\n", "t.yaml:20: model: unknown field \"colour\""},
		{"missing name", edit("name: t\n", ""), "t.yaml:1: model: missing required field \"name\""},
		{"bad name", edit("name: t\n", "name: My Policy\n"), "t.yaml:1: model: name \"My Policy\" must be lowercase"},
		{"duplicate field", edit("title: T\n", "title: T\ntitle: U\n"), "t.yaml:3: model: field \"title\" given twice"},
		{"bad date", edit("date: 2024-01-02", "date: 2 Jan 2024"), "t.yaml:5: model: date \"2 Jan 2024\" must be"},
		{"bad country code", edit(`["*"]`, `["+86x"]`), "t.yaml:8: applies_to: phone_country_codes: \"+86x\" is not a calling code"},
		{"bad first party", edit("first_party: [wechat]", "first_party: [tencent]"), "t.yaml:9: model: first_party: unknown recipient \"tencent\""},
		{"unknown data type", edit("[device_id]", "[device_id, gps]"), "t.yaml:12: disclosure \"a\": unknown data type or category \"gps\""},
		{"unknown collector", edit("collector: first_party", "collector: tencent"), "t.yaml:13: disclosure \"a\": unknown collector \"tencent\""},
		{"unknown feature", edit("features: [any]", "features: [games]"), "t.yaml:14: disclosure \"a\": unknown feature \"games\""},
		{"empty features", edit("features: [any]", "features: []"), "t.yaml:14: disclosure \"a\": features is empty"},
		{"missing clause", edit("    clause:\n      section: \"1\"\n      text: device id\n      source: test\n      certainty: high\n", ""), "t.yaml:11: disclosure 1: missing required field \"clause\""},
		{"bad certainty", edit("certainty: high", "certainty: sure"), "t.yaml:19: disclosure \"a\": clause certainty \"sure\" must be high, medium or low"},
		{"missing certainty", edit("      certainty: high\n", ""), "t.yaml:16: disclosure \"a\": clause: missing required field \"certainty\""},
		{"vague not bool", edit("    collector: first_party\n", "    collector: first_party\n    vague: maybe\n"), "t.yaml:14: disclosure \"a\": vague must be true or false"},
		{"data types a mapping", edit("[device_id]", "{a: b}"), "t.yaml:12: disclosure \"a\": data_types must be a list, not a mapping"},
		{"disclosures not list", strings.SplitN(validModel, "disclosures:", 2)[0] + "disclosures: 3\n", "t.yaml:10: disclosures must be a list"},
		{"duplicate id", validModel + `  - id: a
    data_types: [device_id]
    collector: first_party
    features: [any]
    clause: {section: "2", text: x, source: y, certainty: low}
`, "t.yaml:20: disclosure: id \"a\" already used on line 11"},
		{"category cycle", validModel + `categories:
  - name: x
    includes: [y]
  - name: y
    includes: [x]
`, "t.yaml:21: category \"x\" includes itself"},
		{"category unknown member", validModel + `categories:
  - name: x
    includes: [nope]
`, "t.yaml:21: category \"x\" includes unknown data type \"nope\""},
		{"category redefines builtin", validModel + `categories:
  - name: device_information
    includes: [device_id]
`, "t.yaml:21: category \"device_information\": defined twice"},
		{"handoff unknown feature", validModel + `handoffs:
  - id: h
    features: [videos]
    policy: weixin
    clause: {section: "2", text: x, source: y, certainty: low}
`, "t.yaml:22: handoff \"h\": unknown feature \"videos\""},
		{"handoff to itself", validModel + `handoffs:
  - id: h
    features: [search]
    policy: t
    clause: {section: "2", text: x, source: y, certainty: low}
`, "t.yaml:23: handoff \"h\": hands features to its own policy"},
		{"alias", validModel + "handoffs: *x\n", "t.yaml:20: bad YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := LoadModel(strings.NewReader(tt.in), "t.yaml")
			if err == nil {
				t.Fatalf("loaded a bad model: %+v", m)
			}
			if m != nil {
				t.Errorf("model not nil on error")
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %T is not a ValidationError: %v", err, err)
			}
			first := strings.SplitN(err.Error(), "\n", 2)[0]
			if !strings.HasPrefix(first, "policy: "+tt.want) {
				t.Errorf("got  %q\nwant %q", err.Error(), "policy: "+tt.want)
			}
		})
	}
}

func TestLoadModelProblemsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(validModel)
	for i := 0; i < 100; i++ {
		b.WriteString("  - id: x\n    data_types: [nope]\n    collector: nobody\n    features: [none]\n    clause: {section: s, text: t, source: s, certainty: c}\n")
	}
	_, err := LoadModel(strings.NewReader(b.String()), "t.yaml")
	if n := strings.Count(err.Error(), "\n") + 1; n != maxProblems+1 {
		t.Errorf("got %d problems, want %d", n, maxProblems+1)
	}
}

// TestBuiltinModels loads the shipped models and checks that every clause
// says where it comes from and how sure it is.
func TestBuiltinModels(t *testing.T) {
	names := BuiltinNames()
	if !slices.Equal(names, []string{"wechat", "weixin"}) {
		t.Fatalf("built-in models %v", names)
	}
	for _, n := range names {
		m, err := Builtin(n)
		if err != nil {
			t.Fatal(err)
		}
		if m.Version == "" || m.Date == "" || m.Operator == "" {
			t.Errorf("%s: version, date and operator are required", n)
		}
		for _, d := range m.Disclosures {
			if d.Clause.Source == "" || d.Clause.Certainty == "" {
				t.Errorf("%s#%s: clause without source or certainty", n, d.ID)
			}
		}
		for _, h := range m.Handoffs {
			if _, err := Builtin(h.Policy); err != nil {
				t.Errorf("%s#%s: hands off to unknown policy %q", n, h.ID, h.Policy)
			}
		}
		src, _ := BuiltinSource(n)
		m2, err := LoadModel(strings.NewReader(string(src)), n)
		if err != nil || m2.Name != n {
			t.Errorf("BuiltinSource(%s) does not load: %v", n, err)
		}
	}
	if _, err := Builtin("nope"); err == nil {
		t.Error("Builtin(nope) succeeded")
	}
}

// TestSchemaMatchesLoader checks that schema.json is valid JSON and names
// the same fields the loader accepts.
func TestSchemaMatchesLoader(t *testing.T) {
	var s struct {
		Required   []string `json:"required"`
		Properties map[string]struct {
			Items struct {
				Required   []string            `json:"required"`
				Properties map[string]struct{} `json:"properties"`
			} `json:"items"`
			Properties map[string]struct{} `json:"properties"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(Schema, &s); err != nil {
		t.Fatalf("schema.json: %v", err)
	}
	keys := func(m map[string]struct{}) []string {
		var k []string
		for n := range m {
			k = append(k, n)
		}
		slices.Sort(k)
		return k
	}
	top := []string{}
	for n := range s.Properties {
		top = append(top, n)
	}
	slices.Sort(top)
	want := []string{"applies_to", "categories", "date", "disclosures", "first_party", "handoffs", "name", "notes", "operator", "title", "url", "version"}
	if !slices.Equal(top, want) {
		t.Errorf("schema top-level fields %v, loader %v", top, want)
	}
	if got := keys(s.Properties["disclosures"].Items.Properties); !slices.Equal(got, []string{"clause", "collector", "data_types", "features", "id", "permission", "purpose", "vague"}) {
		t.Errorf("schema disclosure fields %v", got)
	}
	if got := keys(s.Properties["handoffs"].Items.Properties); !slices.Equal(got, []string{"clause", "features", "id", "operator", "policy"}) {
		t.Errorf("schema handoff fields %v", got)
	}
	if got := keys(s.Properties["applies_to"].Properties); !slices.Equal(got, []string{"description", "except_country_codes", "phone_country_codes"}) {
		t.Errorf("schema applies_to fields %v", got)
	}
}

func FuzzLoadModel(f *testing.F) {
	f.Add([]byte(validModel))
	f.Add([]byte(testModel))
	for _, n := range BuiltinNames() {
		src, _ := BuiltinSource(n)
		f.Add(src)
	}
	ents, _ := os.ReadDir(filepath.Join("testdata", "models"))
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join("testdata", "models", e.Name()))
		f.Add(b)
	}
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 64<<10 {
			t.Skip()
		}
		m, err := LoadModel(strings.NewReader(string(b)), "fuzz.yaml")
		if err != nil {
			if m != nil {
				t.Fatal("model and error")
			}
			return
		}
		// A valid model evaluates every flow without panicking.
		Evaluate(m, []Flow{
			{DataType: "location", Recipient: "wechat", Feature: "miniprograms", Permissions: taxonomy.PermOff},
			{DataType: "device_id", Recipient: "weixin", Feature: "channels"},
			{DataType: "nope", Recipient: "x", Feature: "y"},
		}, Options{FollowHandoffs: true})
		var sb strings.Builder
		if err := WriteModel(&sb, m); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkLoadModel(b *testing.B) {
	src, _ := BuiltinSource(WeChat)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadModel(bytes.NewReader(src), "wechat.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
