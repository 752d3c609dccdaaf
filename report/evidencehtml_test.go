package report

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

// evidenceSectionTemplate is the evidence section as the page template
// wrote it before evidencehtml.go: the reference its output must equal.
const evidenceSectionTemplate = `{{range .}}<section class="req" id="{{.Anchor}}"><h3>{{.Q.Run}} #{{.Q.Seq}} <span class="mono">{{reqKey .Q.URI .Q.ReqType}}</span> · {{.Q.Feature}} → {{.Q.Recipient}}{{if .Q.Time}} · {{.Q.Time}}{{end}}</h3>
<p class="why mono">{{.Q.Source}}{{if .Q.FeatureReason}} · feature from content: {{.Q.FeatureReason}}{{end}}</p>
{{range .Findings}}<div class="fd" id="{{.F.ID}}"><a href="#{{.F.ID}}" class="mono">{{.F.ID}}</a> <b>{{.F.DataType}}</b> <span class="{{.F.Confidence}}">{{.F.Confidence}}</span>{{if .F.AppID}} · Mini Program <span class="mono">{{.F.AppID}}</span>{{end}} · <span class="mono">{{.F.Evidence.FieldPath}}</span>{{with .F.Evidence.Span}} · bytes {{.Offset}}+{{.Length}}{{end}} · <span class="mono">{{.F.Evidence.Rule}}</span><br><span class="mono">{{.Before}}<mark>{{.Mark}}</mark>{{.After}}</span></div>
{{end}}</section>
{{end}}`

func referenceEvidenceHTML(t testing.TB, rs []htmlRequest) string {
	t.Helper()
	tm := template.Must(template.New("ev").Funcs(template.FuncMap{"reqKey": reqKey}).Parse(evidenceSectionTemplate))
	var b bytes.Buffer
	if err := tm.Execute(&b, rs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func ownEvidenceHTML(rs []htmlRequest) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(string(r.HTML()))
	}
	return b.String()
}

func evidenceCase(s string, n int) []htmlRequest {
	q := Request{ID: n, Run: s, Seq: n, Time: s, Feature: s, FeatureReason: s, Recipient: s, URI: s, ReqType: n, Source: s}
	f := Finding{ID: s, DataType: s, Confidence: s, AppID: s, Evidence: Evidence{FieldPath: s, Rule: s}}
	g := f
	g.AppID, g.Evidence.Span = "", &Span{Offset: n, Length: n + 1}
	plain := Request{ID: n, Seq: n, ReqType: n}
	return []htmlRequest{
		{Anchor: "r" + s, Q: q, Findings: []htmlFinding{{F: f, Before: s, Mark: s, After: s}, {F: g}}},
		{Anchor: s, Q: plain, Findings: []htmlFinding{{F: Finding{}}}},
		{Q: plain},
	}
}

// TestEvidenceHTMLAsTemplate: a request's evidence section is what the
// page template wrote, escapes included.
func TestEvidenceHTMLAsTemplate(t *testing.T) {
	for i, s := range []string{"", "plain", "f2eef99f5c119-2", "a<b>&'\"+c", "\x00nul", "日本語 · →", "bad \xff\xfe utf8",
		"\uFDD0\uFFFE\uFFFF nonchars", "/cgi-bin/micromsg-bin/newsync?a=1&b=2#x", "javascript:alert(1)", "%41 %zz", "\t\n\r"} {
		rs := evidenceCase(s, i)
		if got, want := ownEvidenceHTML(rs), referenceEvidenceHTML(t, rs); got != want {
			t.Errorf("%q:\ngot  %q\nwant %q", s, got, want)
		}
	}
}

func FuzzEvidenceHTML(f *testing.F) {
	f.Add("a<b>&'\"+c", 3)
	f.Add("\xff\x00#?", -1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		rs := evidenceCase(s, n)
		if got, want := ownEvidenceHTML(rs), referenceEvidenceHTML(t, rs); got != want {
			t.Errorf("%q:\ngot  %q\nwant %q", s, got, want)
		}
	})
}
