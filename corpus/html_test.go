package corpus

import (
	"bytes"
	"strings"
	"testing"
)

// Values from run.yaml, errors and payloads are hostile: every one is
// escaped, and the page loads nothing.
func TestRenderHTMLEscapes(t *testing.T) {
	evil := `<script>alert(1)</script><img src=x onerror=alert(2)>`
	cov := 0.5
	enc, dec := 4, 2
	m := &Metrics{Runs: 1, RunsFailed: 1, Denominator: "runs", MiniProgramBrowsingDefinition: BrowsingDefinition,
		Categories: []Category{{Category: evil, Runs: 1}},
		DataTypes:  []DataTypeShare{{DataType: evil, ByFeature: map[string]Share{evil: {}}, ByCategory: map[string]Share{evil: {}}}},
		RunsTable: []RunMetrics{{Run: evil, Status: "failed", Error: evil, Category: evil, Permissions: evil, Coverage: &cov,
			RecordsEncrypted: &enc, RecordsDecrypted: &dec, NotDecrypted: []string{evil}, DataTypes: map[string]int{evil: 1}}}}
	var b bytes.Buffer
	if err := RenderHTML(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "<img"} {
		if strings.Contains(out, bad) {
			t.Errorf("report contains %q unescaped", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile value is not shown escaped")
	}
	if !strings.Contains(out, `content="default-src 'none';`) {
		t.Error("no strict CSP")
	}
	if strings.Contains(out, "http://") || strings.Contains(out, "https://") {
		t.Error("report refers to an external resource")
	}
}
