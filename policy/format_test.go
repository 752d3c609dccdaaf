package policy

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseRunPermissions(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want map[string]string
		bad  bool
	}{
		{"", map[string]string{}, false},
		{"a=on,b=off,c=unknown", map[string]string{"a": "on", "b": "off", "c": "unknown"}, false},
		{"a=yes", nil, true},
		{"=on", nil, true},
		{"a", nil, true},
		{"a=on,", nil, true},
	} {
		got, err := ParseRunPermissions(tt.in)
		if (err != nil) != tt.bad {
			t.Errorf("%q: err = %v", tt.in, err)
			continue
		}
		if !tt.bad && len(got) != len(tt.want) {
			t.Errorf("%q: got %v, want %v", tt.in, got, tt.want)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%q: %s = %q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

func TestWriteFormat(t *testing.T) {
	gaps := []Gap{{Verdict: Omitted, DataType: "location", Run: "r"}, {Verdict: Consistent, DataType: "uin", Run: "r"}}
	var b bytes.Buffer
	if err := WriteFormat(&b, "jsonl", gaps, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != 1 || strings.Contains(b.String(), "consistent") {
		t.Errorf("jsonl without Consistent kept consistent flows:\n%s", b.String())
	}
	b.Reset()
	if err := WriteFormat(&b, "jsonl", gaps, RenderOptions{Consistent: true}); err != nil || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("jsonl with Consistent: %v\n%s", err, b.String())
	}
	if err := WriteFormat(&b, "pdf", gaps, RenderOptions{}); err == nil {
		t.Error("unknown format accepted")
	}
}
