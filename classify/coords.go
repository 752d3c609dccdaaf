package classify

import (
	"math"
	"strconv"
	"strings"
)

// metresPerDegree is the length of one degree of latitude, rounded.
const metresPerDegree = 111_320.0

// preciseLimitM separates location from coarse_location: coordinates
// sent with three or more decimals (about 110 m or better) are precise.
const preciseLimitM = 200.0

// coordPair recognises two adjacent sibling leaves as a coordinate pair.
// It returns the pair or nil. Adjacent means consecutive in pre-order under
// the same parent with consecutive field numbers or positions, which is how
// every observed encoding sends them ({1 lon, 2 lat}, "…,lon,lat,…").
func coordPair(a, b *Field) *Coord {
	if a.parent() != b.parent() {
		return nil
	}
	na, oka := a.num()
	nb, okb := b.num()
	if !oka || !okb || nb != na+1 {
		return nil
	}
	if a.Kind != b.Kind {
		return nil
	}
	switch a.Kind {
	case KindFixed32, KindFixed64:
		x, y := fixedFloat(a), fixedFloat(b)
		enc := "float64"
		if a.Kind == KindFixed32 {
			enc = "float32"
		}
		d := min(floatDecimals(x, a.Kind), floatDecimals(y, b.Kind))
		return orient(x, y, d, enc)
	case KindText, KindNumber:
		x, dx, okx := decimal(a.Text)
		y, dy, oky := decimal(b.Text)
		if !okx || !oky {
			return nil
		}
		if dx == 0 && dy == 0 {
			return microPair(a.Text, b.Text)
		}
		return orient(x, y, min(dx, dy), "decimal")
	case KindVarint:
		return microPair(strconv.FormatInt(int64(a.Uint), 10), strconv.FormatInt(int64(b.Uint), 10))
	}
	return nil
}

// fixedFloat returns the float value of a fixed32/fixed64 leaf.
func fixedFloat(f *Field) float64 {
	if f.HasFloat {
		return f.Float
	}
	if f.Kind == KindFixed32 {
		return float64(math.Float32frombits(uint32(f.Uint)))
	}
	return math.Float64frombits(f.Uint)
}

// floatDecimals counts the decimals in the shortest representation that
// round-trips at the field's width: what the sender actually knew.
func floatDecimals(v float64, k Kind) int {
	bits := 64
	if k == KindFixed32 {
		bits = 32
	}
	s := strconv.FormatFloat(v, 'f', -1, bits)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// decimal parses a plain decimal number ("-122.08407") and counts its
// decimals. Exponents, hex and padding are not coordinates.
func decimal(s string) (float64, int, bool) {
	if s == "" || len(s) > 24 {
		return 0, 0, false
	}
	t := strings.TrimPrefix(s, "-")
	dot := -1
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && dot < 0:
			dot = i
		default:
			return 0, 0, false
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, 0, false
	}
	if dot < 0 {
		return v, 0, true
	}
	return v, len(t) - dot - 1, true
}

// microPair recognises integer micro-degrees ("37422000,-122084072"). Plain
// integer pairs are common (sizes, counters, ids in report lines), so
// without a key naming them it demands what counters never have: a negative
// value, each within range after dividing by 1e6. Positive-only pairs
// (northern and eastern hemispheres) are left to canaries and key rules:
// precision first.
func microPair(sa, sb string) *Coord {
	a, err1 := strconv.ParseInt(sa, 10, 64)
	b, err2 := strconv.ParseInt(sb, 10, 64)
	if err1 != nil || err2 != nil {
		return nil
	}
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	if abs(a) < 1_000_000 || abs(b) < 1_000_000 || abs(a) > 180_000_000 || abs(b) > 180_000_000 {
		return nil
	}
	if a >= 0 && b >= 0 {
		return nil
	}
	// Trailing zeros were not measured: 37422000 is 37.422 (3 decimals).
	d := min(6-trailingZeros(abs(a)), 6-trailingZeros(abs(b)))
	return orient(float64(a)/1e6, float64(b)/1e6, d, "microdegrees")
}

func trailingZeros(v int64) int {
	n := 0
	for v != 0 && v%10 == 0 && n < 6 {
		v /= 10
		n++
	}
	return n
}

// orient decides which of x, y is the latitude and builds the Coord, or
// returns nil when the pair cannot be coordinates: out of range, (0,0),
// both integers, or both tiny (flags and ratios live in [0,1]).
func orient(x, y float64, decimals int, enc string) *Coord {
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		return nil
	}
	if math.Abs(x) > 180 || math.Abs(y) > 180 || (math.Abs(x) > 90 && math.Abs(y) > 90) {
		return nil
	}
	if math.Abs(x) < 1 && math.Abs(y) < 1 {
		return nil
	}
	if decimals < 1 || (x == math.Trunc(x) && y == math.Trunc(y)) {
		return nil
	}
	lat, lon := x, y
	if math.Abs(x) > 90 {
		// Longitude first, as WeChat's protobufs and report lines send it.
		lat, lon = y, x
	}
	prec := metresPerDegree * math.Pow(10, -float64(decimals))
	return &Coord{Lat: lat, Lon: lon, PrecisionM: math.Round(prec*10) / 10, Encoding: enc}
}

// coordType classifies a coordinate by its precision.
func coordType(c *Coord) DataType {
	if c.PrecisionM <= preciseLimitM {
		return Location
	}
	return CoarseLocation
}
