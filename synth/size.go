package synth

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSize reads "2GB", "100MB", "500KB", "1024" (bytes; binary units).
func ParseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, x := range []struct {
		suf string
		m   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(u, x.suf) {
			u, mult = strings.TrimSuffix(u, x.suf), x.m
			break
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(u), 64)
	if err != nil || !(n >= 0) {
		return 0, fmt.Errorf("bad size %q", s)
	}
	// float64(MaxInt64) rounds up to 2^63, which does not convert back.
	if n*float64(mult) >= math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q: more than %d bytes", s, int64(math.MaxInt64))
	}
	return int64(n * float64(mult)), nil
}
