package report

import (
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
	// Claims are read back as shared (redacted); the rest whole.
	want := *r
	want.Claims = back.Claims
	if diff := cmp.Diff(&want, back, cmpopts.IgnoreUnexported(Report{}, classify.Coord{}), cmpopts.IgnoreFields(Report{}, "Render"), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
	if string(back.Requests[0].Payload) != "\x0a\x03abc" {
		t.Errorf("payload: %x", back.Requests[0].Payload)
	}
}
