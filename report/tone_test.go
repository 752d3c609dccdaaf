package report

import "testing"

func TestClaimTone(t *testing.T) {
	for _, tc := range []struct {
		verdict, concernIf, want string
	}{
		{Supported, Supported, "concern"},
		{Contradicted, Supported, "reassuring"},
		{Supported, "", "concern"}, // claims.json written before concern_if
		{Contradicted, "", "reassuring"},
		{Contradicted, Contradicted, "concern"}, // a claim worded as a reassurance
		{Supported, Contradicted, "reassuring"},
		{NotTestable, Contradicted, NotTestable},
		{NotTestable, Supported, NotTestable},
	} {
		c := Claim{Verdict: tc.verdict, ConcernIf: tc.concernIf}
		if got := c.Tone(); got != tc.want {
			t.Errorf("verdict %q, concern_if %q: tone %q, want %q", tc.verdict, tc.concernIf, got, tc.want)
		}
	}
}
