package decrypt

import (
	"strings"
	"testing"
)

// TestRecordEventString: the dump line names the state, the reason and the
// hello fields, and a hostile short random does not panic.
func TestRecordEventString(t *testing.T) {
	ev := RecordEvent{Link: "shortlink", Direction: "request", Seq: 1, Type: "handshake", Length: 10, State: "not decrypted",
		Reason: "no key", Message: "ClientHello", Hello: &HelloFields{CipherSuites: []string{"0xa8"}, Random: "ab", Timestamp: "t", KeyShares: []int{65}}}
	s := ev.String()
	for _, want := range []string{"shortlink", "seq=1", "not decrypted (no key) ClientHello", "suites=0xa8 random=ab…", "time=t", "key_shares=1"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
	if strings.Contains(s, "psk_tickets") {
		t.Errorf("%q names tickets it does not have", s)
	}
}
