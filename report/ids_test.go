package report

import (
	"slices"
	"testing"
)

// TestFindingIDsRoundTrip: every ID unpacks to itself, packed or not.
func TestFindingIDsRoundTrip(t *testing.T) {
	ids := []string{"f2eef99f5c119", "f2eef99f5c119-2", "f2eef99f5c119-16", "f2eef99f5c119-123456789012",
		"findings.jsonl:12", "", "f2eef99f5c11", "F2eef99f5c119", "f2eef99f5c119-1", "f2eef99f5c119-0", "f2eef99f5c119-02",
		"f2eef99f5c119-", "f2eef99f5c119x", "fABCDEF012345", "f2eef99f5c119-99999999999999999999999", "f日本語"}
	var l FindingIDs
	for _, id := range ids {
		l.Add(id)
	}
	if got := l.Strings(); !slices.Equal(got, ids) {
		t.Errorf("got %q\nwant %q", got, ids)
	}
	var packed FindingIDs
	packed.Add("f2eef99f5c119-16")
	if len(packed.b) != 8 {
		t.Errorf("analyze's ID takes %d bytes, want 8", len(packed.b))
	}
}

func FuzzFindingIDs(f *testing.F) {
	f.Add("f2eef99f5c119-2", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		var l FindingIDs
		l.Add(a)
		l.Add(b)
		if got := l.Strings(); len(got) != 2 || got[0] != a || got[1] != b {
			t.Errorf("got %q, want %q %q", got, a, b)
		}
	})
}
