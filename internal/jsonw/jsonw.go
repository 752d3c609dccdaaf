// Package jsonw appends JSON values to byte slices exactly as encoding/json
// writes them, without reflection. The hot outputs (payload JSONL, decoded
// records) are written with it: encoding/json re-validates the result of
// every MarshalJSON and walks each struct by reflection, which measured as
// the largest CPU cost of `wxaudit decrypt`. Byte-for-byte equality with
// encoding/json is the contract, checked by this package's tests and fuzz
// target and by the tests of the writers built on it.
package jsonw

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// plain marks the ASCII bytes written as they are in a JSON string when
// HTML is not escaped; htmlPlain also excludes '<', '>' and '&'.
var plain, htmlPlain [utf8.RuneSelf]bool

// hexPairs holds the two hex digits of each byte value, the first in the
// low byte (little-endian order in memory).
var hexPairs [256]uint16

func init() {
	for b := range hexPairs {
		hexPairs[b] = uint16(hexDigits[b>>4]) | uint16(hexDigits[b&0x0f])<<8
	}
	for b := 0x20; b < utf8.RuneSelf; b++ {
		if b == '"' || b == '\\' {
			continue
		}
		plain[b] = true
		htmlPlain[b] = b != '<' && b != '>' && b != '&'
	}
}

// AppendString appends s as a JSON string, escaped as encoding/json does:
// '"', '\\' and control bytes escaped (\b \f \n \r \t short, others \u00XX),
// invalid UTF-8 replaced by \ufffd, U+2028 and U+2029 escaped, and with
// escapeHTML '<', '>' and '&' as \u003c, \u003e, \u0026.
func AppendString[S ~string | ~[]byte](dst []byte, s S, escapeHTML bool) []byte {
	ok := &plain
	if escapeHTML {
		ok = &htmlPlain
	}
	dst = append(dst, '"')
	done := 0 // s[:done] is in dst
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if ok[c] {
				i++
				continue
			}
			dst = append(dst, s[done:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			done = i
			continue
		}
		r, n := decodeRune(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, s[done:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[done:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		done = i
	}
	dst = append(dst, s[done:]...)
	return append(dst, '"')
}

func decodeRune[S ~string | ~[]byte](s S) (rune, int) {
	if len(s) > utf8.UTFMax {
		s = s[:utf8.UTFMax]
	}
	return utf8.DecodeRuneInString(string(s)) // at most 4 bytes: converted on the stack
}

// AppendHexString appends b as a JSON string of lowercase hex digits.
func AppendHexString(dst, b []byte) []byte {
	dst = append(dst, '"')
	dst = appendHex(dst, b)
	return append(dst, '"')
}

// appendHex appends b in lowercase hex, as hex.AppendEncode does. Why by
// hand: the payload hex is most of `wxaudit decrypt`'s output, and
// encoding/hex spends two look-ups and two byte stores per input byte;
// one look-up of both digits per byte and one 64-bit store per 4 bytes
// take 2.6x less CPU.
func appendHex(dst, b []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 2*len(b))[:n+2*len(b)]
	out := dst[n:]
	for len(b) >= 8 && len(out) >= 16 {
		binary.LittleEndian.PutUint64(out, uint64(hexPairs[b[0]])|uint64(hexPairs[b[1]])<<16|uint64(hexPairs[b[2]])<<32|uint64(hexPairs[b[3]])<<48)
		binary.LittleEndian.PutUint64(out[8:], uint64(hexPairs[b[4]])|uint64(hexPairs[b[5]])<<16|uint64(hexPairs[b[6]])<<32|uint64(hexPairs[b[7]])<<48)
		b, out = b[8:], out[16:]
	}
	for i, c := range b {
		out[2*i], out[2*i+1] = hexDigits[c>>4], hexDigits[c&0x0f]
	}
	return dst
}

// AppendFloat appends f as encoding/json writes a float64: shortest
// representation, exponent form below 1e-6 and from 1e21 in magnitude with
// at least one exponent digit ("1e-7", not "1e-07"). It reports false for
// NaN and infinities, which encoding/json refuses.
func AppendFloat(dst []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, false
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// strconv writes at least two exponent digits; JSON needs one.
		e := dst[start:]
		if n := len(e); n >= 4 && e[n-4] == 'e' && e[n-3] == '-' && e[n-2] == '0' {
			e[n-2] = e[n-1]
			dst = dst[:len(dst)-1]
		}
	}
	return dst, true
}

// AppendBool appends true or false.
func AppendBool(dst []byte, b bool) []byte { return strconv.AppendBool(dst, b) }
