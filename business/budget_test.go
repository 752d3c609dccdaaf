package business

import (
	"bytes"
	"errors"
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// TestOutputCapPerState: payloads each under the per-payload cap stop
// inflating once the AuthState's total is spent, with their own reason.
func TestOutputCapPerState(t *testing.T) {
	plain := append([]byte{0x0a, 0x7f}, bytes.Repeat([]byte{'z'}, 5000)...)
	pkt := sealPacket(t, AlgoCBC, 1, plain, true, true)
	st := &AuthState{MaxInflateTotal: 3 * int64(len(plain))}
	opened, capped := 0, 0
	for range 5 {
		_, err := Open(pkt, synthKeys(), st)
		var oe *OpenError
		switch {
		case err == nil:
			opened++
		case errors.As(err, &oe) && oe.Reason == taxonomy.ReasonOutputCap:
			capped++
		default:
			t.Fatal(err)
		}
	}
	if opened != 3 || capped != 2 {
		t.Fatalf("opened %d, capped %d; want 3 and 2", opened, capped)
	}
}
