package report

import "testing"

// The tone follows the claim's concern, not its verdict: "location was
// sent with the permission off" is contradicted and a concern.
func TestClaimTone(t *testing.T) {
	for _, tc := range []struct {
		verdict string
		concern bool
		want    string
	}{
		{Supported, true, "concern"},
		{Supported, false, "reassuring"},
		{Contradicted, true, "concern"},
		{Contradicted, false, "reassuring"},
		{NotTestable, true, NotTestable},
		{NotTestable, false, NotTestable},
	} {
		c := Claim{Verdict: tc.verdict, Concern: tc.concern}
		if got := c.Tone(); got != tc.want {
			t.Errorf("verdict %q, concern %v: tone %q, want %q", tc.verdict, tc.concern, got, tc.want)
		}
	}
}
