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

// TestWritePolicyPacked: a gap's packed finding IDs are written as the
// same IDs in Findings would be, escaped alike.
func TestWritePolicyPacked(t *testing.T) {
	ids := []string{"f2eef99f5c119", "f2eef99f5c119-2", "findings.jsonl:3", "a\"<&>\x00\u2028é", "f2eef99f5c119-16"}
	for n := range len(ids) + 1 {
		gaps := []Gap{{Kind: "omitted", DataType: "location", Statement: "s", Findings: ids[:n]}, {Kind: "ambiguous", Findings: []string{"x"}}}
		var want, got bytes.Buffer
		if err := writeJSON(&want, &PolicyResult{Model: "m", Gaps: gaps}); err != nil {
			t.Fatal(err)
		}
		var packed FindingIDs
		for _, id := range ids[:n] {
			packed.Add(id)
		}
		gaps[0].Findings, gaps[0].Packed = nil, &packed
		if err := writePolicy(&got, &PolicyResult{Model: "m", Gaps: gaps}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d IDs: writePolicy:\n%s\nwant:\n%s", n, got.String(), want.String())
		}
		if c := gaps[0].FindingCount(); c != n {
			t.Errorf("FindingCount %d, want %d", c, n)
		}
	}
}
