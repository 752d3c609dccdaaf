// This file holds the heuristics the hypotheses are weighed with (what
// reads as a message, as text, as high-entropy or compressed bytes) and
// the hints offered for scalar values, so that every threshold is stated
// in one place; hypotheses.go combines them into a decision.

package schemaless

import (
	"encoding/binary"
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Byte-parallel masks (eight bytes in a uint64).
const (
	highBits = 0x8080808080808080
	ones     = 0x0101010101010101
)

// printableASCII8 reports whether the eight bytes of x are all printable
// ASCII (0x20–0x7e).
func printableASCII8(x uint64) bool {
	if x&highBits != 0 {
		return false
	}
	// With no high bit set, no byte carries into the next: a byte below
	// 0x20 borrows into its high bit, and only 0x7f reaches 0x80 when 1
	// is added.
	below := (x - 0x20*ones) & ^x & highBits
	del := (x + ones) & highBits
	return below|del == 0
}

// textInfo is the reading of a byte string as text.
type textInfo struct {
	score    float64 // in [0, 1]; 0 when not text
	ratio    float64 // printable runes / runes
	nonASCII bool
}

// textScore rates b as human text. Valid UTF-8 is required (CJK counts as
// printable); trailing NULs, as in C strings such as the device id, are
// allowed.
func textScore(b []byte) textInfo {
	t := b
	for len(t) > 0 && t[len(t)-1] == 0 {
		t = t[:len(t)-1]
	}
	if len(t) == 0 {
		return textInfo{}
	}
	var total, printable int
	nonASCII := false
	lead := false
	// Text needs 85% printable runes; once more than 16% of the bytes
	// (an upper bound on the runes) are not printable it cannot be text.
	maxBad := len(t) * 16 / 100
	for i := 0; i < len(t); {
		if total > maxBad+printable {
			return textInfo{}
		}
		if total > 0 && len(t)-i >= 8 && printableASCII8(binary.LittleEndian.Uint64(t[i:])) {
			total += 8
			printable += 8
			i += 8
			continue
		}
		c := t[i]
		total++
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == 0:
				return textInfo{}
			case c == '\t' || c == '\n' || c == '\r':
				printable++
				if total == 1 {
					lead = true
				}
			case c >= 0x20 && c < 0x7f:
				printable++
			default:
				if total == 1 {
					lead = true
				}
			}
			continue
		}
		r, size := utf8.DecodeRune(t[i:])
		if r == utf8.RuneError && size == 1 {
			return textInfo{} // not UTF-8
		}
		i += size
		nonASCII = true
		if unicode.IsPrint(r) {
			printable++
		} else if total == 1 {
			lead = true
		}
	}
	ratio := float64(printable) / float64(total)
	if ratio < 0.85 {
		return textInfo{}
	}
	s := 0.95 - (1-ratio)*3
	if lead {
		// Text rarely starts with a control character; a nested message
		// starting with tag 0x0a (field 1, length-delimited) often does.
		s -= 0.4
	}
	return textInfo{score: s, ratio: ratio, nonASCII: nonASCII}
}

// entropy returns the Shannon entropy of b in bits per byte.
func entropy(b []byte) float64 {
	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	h := 0.0
	n := float64(len(b))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// isHighEntropy reports whether b is long enough and close enough to the
// maximum entropy for its length to be encrypted, compressed or random.
func isHighEntropy(b []byte) bool {
	high, _ := highEntropy(b)
	return high
}

// highEntropy is isHighEntropy that also returns the entropy it computed.
func highEntropy(b []byte) (bool, float64) {
	if len(b) < 16 {
		return false, 0
	}
	max := math.Log2(float64(min(len(b), 256)))
	// For short strings even random bytes repeat a little, so the bound is
	// relative to the maximum reachable.
	e := entropy(b)
	return e >= 0.87*max, e
}

// compressedHeader reports whether b starts with a valid zlib (RFC 1950)
// or gzip header.
func compressedHeader(b []byte) (Kind, bool) {
	if len(b) < 3 {
		return 0, false
	}
	if b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 {
		return KindUnknown, true // gzip
	}
	cmf, flg := b[0], b[1]
	if cmf&0x0f != 8 || cmf>>4 > 7 || (uint16(cmf)<<8|uint16(flg))%31 != 0 || flg&0x20 != 0 {
		return 0, false
	}
	return KindZlib, true
}

func clamp01(f float64) float64 { return math.Max(0, math.Min(1, f)) }

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// messageScore rates a complete scan as a message, in [0, 1]. Structure
// alone (every byte consumed by valid tags) is strong evidence for long
// buffers and weak for short ones; large field numbers and groups (which
// modern protobuf never emits) count against it.
func (d *decoder) messageScore(b []byte, sc scanResult) float64 {
	if !sc.complete || len(sc.fields) == 0 {
		return 0
	}
	s := 0.9
	switch {
	case sc.maxNum > 1<<16:
		s -= 0.5
	case sc.maxNum > 5000:
		s -= 0.3
	case sc.maxNum > 300:
		s -= 0.1
	}
	if sc.groups > 0 {
		s -= 0.15
	}
	// A single short field is easily produced by chance.
	if len(b) <= 3 {
		s -= 0.3
	}
	return s
}

// varintHints suggests readings of a varint other than uint64.
func (d *decoder) varintHints(v uint64, size int) []string {
	var buf [3]string
	h := buf[:0]
	switch {
	case int64(v) < 0:
		h = append(h, d.numHint("int64=", int64(v)))
	case v > 1<<32 && v&1 == 1 || v > 1<<40:
		// Large values with small zigzag readings are likely sint64.
		if z := int64(v>>1) ^ -int64(v&1); z > -1<<31 && z < 1<<31 {
			h = append(h, d.numHint("zigzag=", z))
		}
	}
	if t := timeHint(v); t != "" {
		h = append(h, t)
	}
	if size > 1 && protowire.SizeVarint(v) != size {
		h = append(h, "non-minimal varint")
	}
	if len(h) == 0 {
		return nil
	}
	return append(d.hints(len(h)), h...)
}

// numHint formats prefix+v into the string arena.
func (d *decoder) numHint(prefix string, v int64) string {
	d.strSpace(len(prefix) + 20)
	m := len(d.strArena)
	d.strArena = append(d.strArena, prefix...)
	d.strArena = strconv.AppendInt(d.strArena, v, 10)
	return d.finishStr(m)
}

// timeHint flags values in the range of Unix times (2001–2033) in seconds
// or milliseconds.
func timeHint(v uint64) string {
	switch {
	case v >= 1e9 && v < 2e9:
		return "unix_time"
	case v >= 1e12 && v < 2e12:
		return "unix_time_ms"
	}
	return ""
}

// plausibleFloat reports whether f looks like a value someone stored as a
// float rather than the bits of an integer: finite, not subnormal, and of
// human magnitude.
func plausibleFloat(f float64) bool {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	if f == 0 {
		return true
	}
	a := math.Abs(f)
	return a >= 1e-6 && a <= 1e12
}
