package capture

import (
	"fmt"
	"testing"
)

// TestSkipReasonsBounded: frames skipped for ever new reasons (a reason
// naming a per-frame value) keep the map at MaxSkipReasons reasons plus
// the other-reasons count; the frequent reasons stay; every frame is
// counted.
func TestSkipReasonsBounded(t *testing.T) {
	s := Stats{Skipped: map[string]int{}}
	const frames = 100000
	for i := range frames {
		if i%2 == 0 {
			s.skip("udp")
		} else {
			s.skip(fmt.Sprintf("unsupported ethertype 0x%05x", i))
		}
	}
	if len(s.Skipped) > MaxSkipReasons+1 {
		t.Errorf("%d reasons kept, want at most %d", len(s.Skipped), MaxSkipReasons+1)
	}
	if s.Skipped["udp"] != frames/2 {
		t.Errorf("udp = %d, want %d (the frequent reason lost counts)", s.Skipped["udp"], frames/2)
	}
	total := 0
	for _, n := range s.Skipped {
		total += n
	}
	if total != frames {
		t.Errorf("%d frames counted, want %d", total, frames)
	}
	if s.Skipped[OtherSkipReasons] == 0 {
		t.Error("no frame counted under other reasons")
	}
}
