package report

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/wxaudit/wxaudit/classify"
)

// TestRoundTrip: what WriteDir writes, ReadDir reads back whole: runs,
// requests with their payloads, findings, claims and the policy comparison.
func TestRoundTrip(t *testing.T) {
	r := redactionReport()
	r.Requests[0].Payload = HexBytes{0x0a, 0x03, 'a', 'b', 'c'}
	r.Render.RedactionKey = []byte("k")
	dir := t.TempDir()
	if err := r.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	back, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Claims are read back as shared: the planted device ID in the
	// statement becomes its pseudonym under the key "k" (a fixed value:
	// the pseudonym is an HMAC of the value under the key); the rest whole.
	want := *r
	want.Claims = []Claim{{ID: "c", Verdict: Supported, Title: "t", Statement: "the device [device_id kty7szzm] sent it", Why: "w",
		Numbers: map[string]any{}, Evidence: []string{"p1"}}}
	if diff := cmp.Diff(&want, back, cmpopts.IgnoreUnexported(Report{}, classify.Coord{}), cmpopts.IgnoreFields(Report{}, "Render"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
	if string(back.Requests[0].Payload) != "\x0a\x03abc" {
		t.Errorf("payload: %x", back.Requests[0].Payload)
	}
}

// TestWritePolicyAsJSON: policy.json, written a gap at a time, is what
// encoding/json writes for the whole value.
func TestWritePolicyAsJSON(t *testing.T) {
	for _, p := range []*PolicyResult{
		{Model: "m"},
		{Model: "m", Title: "T <&>", Gaps: []Gap{}},
		{Model: "m", Version: "v", Gaps: []Gap{{Kind: "omitted", DataType: "location", Statement: "a \"b\" <c>", Findings: []string{"f1", "f2"}}, {Kind: "ambiguous"}}},
	} {
		var want, got bytes.Buffer
		if err := writeJSON(&want, p); err != nil {
			t.Fatal(err)
		}
		if err := writePolicy(&got, p); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("writePolicy:\n%s\nwant:\n%s", got.String(), want.String())
		}
	}
}
