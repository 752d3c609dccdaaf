package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/internal/fixtures"
	"github.com/wxaudit/wxaudit/schemaless"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// sharedDir returns the Citizen Lab fixture folder (see internal/fixtures).
func sharedDir(t testing.TB) string {
	t.Helper()
	return fixtures.Dir(t)
}

func TestFeature(t *testing.T) {
	c := Default()
	tests := []struct{ path, want string }{
		{"/cgi-bin/micromsg-bin/newsync", "sync"},
		{"/cgi-bin/micromsg-bin/newreportkvcomm", "telemetry"},
		{"/cgi-bin/micromsg-bin/findersomething", "channels"},
		{"/cgi-bin/micromsg-bin/mmsnsfoo", "moments"},
		{"/cgi-bin/mmbiz-bin/js-foo", taxonomy.FeatureMiniPrograms},
		{"/cgi-bin/mmbiz-bin/wxausrevent/wxaappidkeybatchreport", taxonomy.FeatureMiniPrograms},
		{"/cgi-bin/mmbiz-bin/wxabusiness/reportwxaappexpose", taxonomy.FeatureMiniPrograms},
		{"/cgi-bin/micromsg-bin/secautoauth", taxonomy.FeatureLogin},
		{"/cgi-bin/micromsg-bin/getlocimg", taxonomy.FeatureLocation},
		{"/cgi-bin/micromsg-bin/unheardof", "other"},
		{"", "other"},
	}
	for _, tt := range tests {
		if got := c.Feature(tt.path); got != tt.want {
			t.Errorf("Feature(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
	for _, e := range c.Endpoints() {
		if _, ok := c.Features[e.Feature]; !ok {
			t.Errorf("endpoint %d %s: unknown feature %q", e.Type, e.Path, e.Feature)
		}
	}
}

// TestVocabulary: the catalog file's features are exactly taxonomy.Features, and
// every rule and endpoint uses one of them.
func TestVocabulary(t *testing.T) {
	c := Default()
	for f := range c.Features {
		if !taxonomy.KnownFeature(f) {
			t.Errorf("catalog.yaml feature %q not in taxonomy.Features", f)
		}
	}
	for _, f := range taxonomy.Features {
		if c.Features[f] == "" {
			t.Errorf("taxonomy.Features %q has no description in catalog.yaml", f)
		}
	}
	for _, r := range c.Rules {
		if !taxonomy.KnownFeature(r.Feature) {
			t.Errorf("rule %q: unknown feature %q", r.Keyword, r.Feature)
		}
	}
	for _, e := range c.Endpoints() {
		if !taxonomy.KnownFeature(e.Feature) {
			t.Errorf("endpoint %d: unknown feature %q", e.Type, e.Feature)
		}
	}
}

func TestObservedWins(t *testing.T) {
	c := Default()
	if err := c.AddPublished(strings.NewReader("id,path\n996,/cgi-bin/micromsg-bin/speedtestreport\n7777,/x/published\n")); err != nil {
		t.Fatal(err)
	}
	if got := c.Path(996); got != "/cgi-bin/micromsg-bin/newreportkvcomm" {
		t.Errorf("Path(996) = %q", got)
	}
	if got := c.Path(7777); got != "/x/published" {
		t.Errorf("Path(7777) = %q", got)
	}
	c.Observe(7777, "/x/observed")
	if got := c.Path(7777); got != "/x/observed" {
		t.Errorf("after Observe: Path(7777) = %q", got)
	}
	if len(c.Conflicts()) != 2 {
		t.Errorf("conflicts %v, want 2", c.Conflicts())
	}
}

func TestMergeOverrides(t *testing.T) {
	c := Default()
	err := c.Merge(strings.NewReader("endpoints:\n  - {type: 4242, path: /x/y, feature: payments}\nfields:\n  /x/y: {\"2\": amount}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p, f := c.Resolve(4242, ""); p != "/x/y" || f != "payments" {
		t.Errorf("Resolve = %q %q", p, f)
	}
	if err := c.Merge(strings.NewReader("endpoints: [")); err == nil {
		t.Error("bad YAML accepted")
	}
}

func TestApplyBaseRequest(t *testing.T) {
	var br []byte
	br = protowire.AppendTag(br, 1, protowire.BytesType)
	br = protowire.AppendBytes(br, []byte{0})
	br = protowire.AppendTag(br, 2, protowire.VarintType)
	br = protowire.AppendVarint(br, 123456789)
	br = protowire.AppendTag(br, 3, protowire.BytesType)
	br = protowire.AppendBytes(br, []byte("A0123456789abcde\x00"))
	br = protowire.AppendTag(br, 4, protowire.VarintType)
	br = protowire.AppendVarint(br, 1)
	br = protowire.AppendTag(br, 5, protowire.BytesType)
	br = protowire.AppendBytes(br, []byte("android-34"))
	// Under 2.1, as in the secautoauth request.
	inner := protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), br)
	in := protowire.AppendBytes(protowire.AppendTag(nil, 2, protowire.BytesType), inner)
	m := schemaless.Decode(in, schemaless.Options{})
	Default().Apply(m, "/cgi-bin/micromsg-bin/secautoauth")
	got := map[string]string{}
	m.Walk(func(n *schemaless.Node, _ int) bool {
		if n.Name != "" {
			got[n.Path] = n.Name
		}
		return true
	})
	want := map[string]string{"2.1": "base_request", "2.1.1": "base_request.session_key", "2.1.2": "base_request.uin",
		"2.1.3": "base_request.device_id", "2.1.4": "base_request.client_version", "2.1.5": "base_request.device_type"}
	for p, n := range want {
		if got[p] != n {
			t.Errorf("%s: got %q, want %q", p, got[p], n)
		}
	}
}

// TestPublishedTable cross-checks the embedded catalog against Citizen
// Lab's published request_types.csv and reports every conflict.
func TestPublishedTable(t *testing.T) {
	dir := sharedDir(t)
	f, err := os.Open(filepath.Join(dir, "request_types.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := Default()
	if err := c.AddPublished(f); err != nil {
		t.Fatal(err)
	}
	conflicts := c.Conflicts()
	for _, cf := range conflicts {
		t.Logf("conflict: %s", cf)
	}
	found := false
	for _, cf := range conflicts {
		if cf.Type == 996 {
			found = true
			if cf.Chose != "/cgi-bin/micromsg-bin/newreportkvcomm" {
				t.Errorf("996: chose %q, want the observed newreportkvcomm", cf.Chose)
			}
		}
	}
	if !found {
		t.Error("the published table's 996 speedtestreport/newreportkvcomm conflict was not reported")
	}
	t.Logf("%d request types known after merging, %d conflicts", len(c.Endpoints()), len(conflicts))
}
