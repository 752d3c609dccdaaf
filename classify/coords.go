package classify

import (
	"math"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/internal/lazyre"
	"github.com/wxaudit/wxaudit/taxonomy"
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
//
// ax is what the catalog knows about the pair (nil: nothing): its axis
// order, and whether integers are zigzag varints. A pair the catalog knows
// is a position by that knowledge; one it does not know must look like a
// position by itself (see plausibleUnnamed), and its axis order comes from
// the magnitudes only when one value is beyond ±90° — otherwise it is
// ambiguous until evidence decides (see Evidence).
func coordPair(a, b *Field, ax *catalog.Axes) *Coord {
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
	order := ""
	if ax != nil {
		order = ax.Order
	}
	var co *Coord
	switch a.Kind {
	case KindFixed32, KindFixed64:
		x, y := fixedFloat(a), fixedFloat(b)
		enc := "float64"
		if a.Kind == KindFixed32 {
			enc = "float32"
		}
		dx, dy := floatDecimals(x, a.Kind), floatDecimals(y, b.Kind)
		co = orient(x, y, min(dx, dy), enc, order)
		if co != nil {
			co.PrecisionM = floatPairPrecision(x, y, a.Kind)
		} else {
			// sfixed32/sfixed64 micro-degrees: the bits are an integer.
			co = microPair(fixedInt(a), fixedInt(b), order)
		}
	case KindText, KindNumber:
		x, dx, okx := decimal(a.Text)
		y, dy, oky := decimal(b.Text)
		if !okx || !oky {
			return nil
		}
		if dx == 0 && dy == 0 {
			ia, erra := strconv.ParseInt(a.Text, 10, 64)
			ib, errb := strconv.ParseInt(b.Text, 10, 64)
			if erra != nil || errb != nil {
				return nil
			}
			co = microPair(ia, ib, order)
		} else {
			co = carried(orient(x, y, min(dx, dy), "decimal", order), max(dx, dy))
		}
	case KindVarint:
		if ax != nil && ax.Zigzag {
			if co = microPair(unzigzag(a.Uint), unzigzag(b.Uint), order); co != nil {
				co.Encoding = "microdegrees-zigzag"
			}
			break
		}
		// int32/int64 negatives arrive as two's complement, the protobuf
		// default. A zigzag (sint32) pair is read as one only where the
		// catalog says so: every zigzag pair is also a valid plain pair
		// (Toronto's 43.65, -79.38 reads 87.31, 158.77), so trying it on
		// unknown fields would trade one silent misreading for another.
		co = microPair(asInt32(a.Uint), asInt32(b.Uint), order)
	}
	if co == nil {
		return nil
	}
	if ax != nil {
		co.Axes = AxesCatalog
		return co
	}
	if !plausibleUnnamed(co) {
		return nil
	}
	return co
}

// unzigzag decodes a sint32/sint64 varint.
func unzigzag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// plausibleUnnamed decides whether a pair nothing names can be a position.
// Report lines and messages are full of adjacent numbers (sizes, durations,
// ratios, version parts, counters), so it demands what they rarely have:
//
//   - a negative value (southern or western hemisphere: sizes, versions
//     and counters are never negative), or
//   - a value beyond the latitude range with the other value a latitude
//     (east or west of ±90°: China, Japan, Australia, the Americas), or
//   - both within ±90 and at least 4 decimals (0.0001° ≈ 11 m) on both, as
//     a position fix has and a ratio or duration seldom does.
//
// Integer micro-degrees with both values positive and under 90 (Europe,
// Africa, India, Russia) cannot be told from a pair of counters by their
// shape: they are kept only if evidence in the request confirms them (the
// same place sent elsewhere, the carrier's country or the time zone; see
// Evidence), and dropped otherwise.
func plausibleUnnamed(co *Coord) bool {
	if co.Lat < 0 || co.Lon < 0 {
		return true
	}
	if co.Lon > 90 {
		return true
	}
	if strings.HasPrefix(co.Encoding, "microdegrees") {
		co.needsEvidence = true
		return true
	}
	return co.decimals >= 4
}

// fixedInt returns a fixed32/fixed64 leaf's bits as a signed integer.
func fixedInt(f *Field) int64 {
	if f.Kind == KindFixed32 {
		return int64(int32(uint32(f.Uint)))
	}
	return int64(f.Uint)
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

// floatPairPrecision is the precision in metres a float pair carries: the
// spacing of adjacent floats at each value's magnitude (a float32 near
// 43.7 steps by 2^-18° ≈ 0.42 m, near 79.4 by 2^-17° ≈ 0.85 m), or, where
// the sender rounded before encoding (the shortest decimal that round-trips
// has fewer significant digits than the width holds: 37.422 in a float32),
// the decimals it kept. Of the two values the finer rounding counts (see
// carried) and the coarser spacing. Metres are metres of latitude per
// degree, for both axes.
func floatPairPrecision(x, y float64, k Kind) float64 {
	spacing := func(v float64) float64 {
		v = math.Abs(v)
		if k == KindFixed32 {
			f := float32(v)
			return float64(math.Nextafter32(f, float32(math.Inf(1))) - f)
		}
		return math.Nextafter(v, math.Inf(1)) - v
	}
	fullDigits := 15
	if k == KindFixed32 {
		fullDigits = 7
	}
	rounded := func(v float64) float64 {
		bits := 64
		if k == KindFixed32 {
			bits = 32
		}
		s := strings.TrimLeft(strings.TrimPrefix(strconv.FormatFloat(v, 'f', -1, bits), "-"), "0.")
		digits := len(strings.ReplaceAll(s, ".", ""))
		if digits >= fullDigits {
			return 0 // every digit the width holds: not rounded by the sender
		}
		return metresPerDegree * math.Pow(10, -float64(floatDecimals(v, k)))
	}
	m := max(spacing(x), spacing(y)) * metresPerDegree
	if rx, ry := rounded(x), rounded(y); rx > 0 && ry > 0 {
		m = max(m, min(rx, ry))
	}
	m = math.Round(m*10) / 10
	if m == 0 {
		m = 0.1
	}
	return m
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

// microPair recognises integer micro-degrees ("37422000,-122084072",
// "31230416,121473701"): both within ±180° after dividing by 1e6, at least
// one of them a degree or more away from zero (a value of ±0.0x° next to
// another such is a pair of small counters, not a place), and not both
// beyond ±90°. Which counts as a position is plausibleUnnamed's or the
// caller's decision; order is the known axis order ("" if none).
func microPair(a, b int64, order string) *Coord {
	const deg = 1_000_000
	abs := func(v int64) int64 {
		if v < 0 {
			return -v
		}
		return v
	}
	if abs(a) > 180*deg || abs(b) > 180*deg || (abs(a) < deg && abs(b) < deg) {
		return nil
	}
	// A value under 0.01° (1e4) next to a real coordinate is a flag or a
	// small count; London's -0.1276 is -127600.
	if abs(a) < 10_000 || abs(b) < 10_000 {
		return nil
	}
	// Trailing zeros were not measured: 37422000 is 37.422 (3 decimals).
	da, db := 6-trailingZeros(abs(a)), 6-trailingZeros(abs(b))
	return carried(orient(float64(a)/deg, float64(b)/deg, min(da, db), "microdegrees", order), max(da, db))
}

func trailingZeros(v int64) int {
	n := 0
	for v != 0 && v%10 == 0 && n < 6 {
		v /= 10
		n++
	}
	return n
}

// orient builds the Coord of a pair sent as x then y, or returns nil when
// the pair cannot be coordinates: out of range, (0,0), both integers, or
// both tiny (flags and ratios live in [0,1]).
//
// The axis order comes from knowledge, then from the values, never from a
// guess: order (catalog.OrderLatLon or OrderLonLat) when the caller knows
// it; else a value beyond ±90° is the longitude (AxesRange); else the pair
// is AxesAmbiguous, read in the order sent (x as the latitude) until
// evidence decides (Evidence.Orient).
func orient(x, y float64, decimals int, enc, order string) *Coord {
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
	lat, lon, axes := x, y, AxesAmbiguous
	switch {
	case order == catalog.OrderLatLon:
		axes = AxesCatalog
	case order == catalog.OrderLonLat:
		lat, lon, axes = y, x, AxesCatalog
	case math.Abs(x) > 90:
		lat, lon, axes = y, x, AxesRange
	case math.Abs(y) > 90:
		axes = AxesRange
	}
	if math.Abs(lat) > 90 {
		return nil // the known order contradicts the values
	}
	prec := metresPerDegree * math.Pow(10, -float64(decimals))
	return &Coord{Lat: lat, Lon: lon, PrecisionM: math.Round(prec*10) / 10, Encoding: enc, Axes: axes, decimals: decimals}
}

// coordType classifies a coordinate by its precision.
func coordType(c *Coord) taxonomy.DataType {
	if c.PrecisionM <= preciseLimitM {
		return taxonomy.Location
	}
	return taxonomy.CoarseLocation
}

// coordAxis reads a key as a latitude ('y') or longitude ('x') name, or
// returns 0. Keys are folded by normName and stripped of the prefixes and
// suffixes clients put around the word ("gpsLatitude", "poi_lng",
// "lat_e6"); "x" and "y" count only where xyContext says they are a place.
func coordAxis(name string) byte {
	n := normName(name)
	for _, p := range []string{"current", "location", "device", "client", "center", "centre", "wgs84", "gcj02", "user", "gps", "poi", "cur", "loc", "geo", "my"} { // not a data type: name prefixes
		if len(n) > len(p)+1 {
			n = strings.TrimPrefix(n, p)
		}
	}
	for _, suf := range []string{"degrees", "value", "deg", "e6", "e7"} {
		n = strings.TrimSuffix(n, suf)
	}
	switch n {
	case "lat", "latitude":
		return 'y'
	case "lng", "lon", "long", "longitude", "longtitude":
		return 'x'
	case "x", "y":
		return n[0] | 0x80 // only with context
	}
	return 0
}

// xyContext reports whether plain x/y keys under parent are a position: the
// parent is named for a place, or a sibling is a fix's accuracy, altitude
// or speed. Elsewhere x/y are screen or image coordinates.
func xyContext(parent string, siblings map[string]bool) bool {
	last := strings.ToLower(parent[strings.LastIndexByte(parent, '.')+1:])
	for _, w := range []string{"loc", "gps", "geo", "position", "coord", "poi", "point"} {
		if strings.Contains(last, w) {
			return true
		}
	}
	for _, k := range []string{"accuracy", "horizontalaccuracy", "altitude", "speed", "bearing"} {
		if siblings[k] {
			return true
		}
	}
	return false
}

// keyedPairs finds coordinate pairs sent under names (JSON, query and XML
// keys, protobuf key/value pairs): a latitude-named and a longitude-named
// leaf under one parent, in any order and not necessarily adjacent. The
// names say what the numbers are, so any hemisphere and plain integer
// micro-degrees count; the values must still be in range, and not (0, 0).
func keyedPairs(fields []Field, names []string, emit func(Finding)) {
	type axes struct{ lat, lon, x, y int }
	byParent := map[string]*axes{}
	sibs := map[string]map[string]bool{}
	var order []string
	for i := range fields {
		if names[i] == "" || fields[i].Container {
			continue
		}
		p := fields[i].parent()
		if sibs[p] == nil {
			sibs[p] = map[string]bool{}
		}
		sibs[p][normName(names[i])] = true
		ax := coordAxis(names[i])
		if ax == 0 {
			continue
		}
		a := byParent[p]
		if a == nil {
			a = &axes{-1, -1, -1, -1}
			byParent[p] = a
			order = append(order, p)
		}
		switch ax {
		case 'y':
			a.lat = i
		case 'x':
			a.lon = i
		case 'y' | 0x80:
			a.y = i
		case 'x' | 0x80:
			a.x = i
		}
	}
	for _, p := range order {
		a := byParent[p]
		lat, lon := a.lat, a.lon
		if (lat < 0 || lon < 0) && a.x >= 0 && a.y >= 0 && xyContext(p, sibs[p]) {
			lat, lon = a.y, a.x
		}
		if lat < 0 || lon < 0 {
			continue
		}
		co := namedCoord(&fields[lat], &fields[lon])
		if co == nil {
			continue
		}
		fl, fo := &fields[lat], &fields[lon]
		emit(Finding{DataType: coordType(co), Confidence: taxonomy.High,
			FieldPath: fl.Path + "+" + fo.key(), Value: fl.display() + "," + fo.display(),
			Rule:   "detector:coordinates-named-" + co.Encoding,
			Reason: "fields named " + names[lat] + " and " + names[lon] + " hold a latitude/longitude pair (" + co.Encoding + ", " + precisionWords(co) + ")",
			Coord:  co})
	}
}

// namedCoord reads a latitude and a longitude leaf: decimal text or JSON
// numbers, floats, or integers in micro-degrees (or 1e7 units).
func namedCoord(la, lo *Field) *Coord {
	v := func(f *Field) (float64, int, string, bool) {
		switch f.Kind {
		case KindFixed32, KindFixed64:
			x := fixedFloat(f)
			enc := "float64"
			if f.Kind == KindFixed32 {
				enc = "float32"
			}
			return x, floatDecimals(x, f.Kind), enc, !math.IsNaN(x) && !math.IsInf(x, 0)
		case KindVarint:
			return float64(asInt32(f.Uint)), 0, "microdegrees", true
		case KindText, KindNumber:
			x, d, ok := decimal(strings.TrimSpace(f.Text))
			if ok && d == 0 {
				return x, 0, "microdegrees", true
			}
			return x, d, "decimal", ok
		}
		return 0, 0, "", false
	}
	lat, dlat, enc, ok1 := v(la)
	lon, dlon, enc2, ok2 := v(lo)
	if !ok1 || !ok2 || enc != enc2 {
		return nil
	}
	d, dmax := min(dlat, dlon), max(dlat, dlon)
	if enc == "microdegrees" {
		// Integers: micro-degrees, or 1e7 units when 1e6 is out of range.
		ia, ib := int64(lat), int64(lon)
		scale, digits := 1e6, 6
		if math.Abs(lat)/1e6 > 90 || math.Abs(lon)/1e6 > 180 {
			scale, digits = 1e7, 7
		}
		if math.Abs(lat) < 1000 && math.Abs(lon) < 1000 {
			return nil // whole degrees or a placeholder: too coarse to tell
		}
		lat, lon = lat/scale, lon/scale
		d = min(digits-trailingZeros(absInt(ia)), digits-trailingZeros(absInt(ib)))
		dmax = max(digits-trailingZeros(absInt(ia)), digits-trailingZeros(absInt(ib)))
	}
	if math.Abs(lat) > 90 || math.Abs(lon) > 180 || (lat == 0 && lon == 0) || d < 1 {
		return nil
	}
	prec := metresPerDegree * math.Pow(10, -float64(d))
	co := carried(&Coord{Lat: lat, Lon: lon, PrecisionM: math.Round(prec*10) / 10, Encoding: enc, Axes: AxesNames, decimals: d}, dmax)
	if la.Kind == KindFixed32 || la.Kind == KindFixed64 {
		co.PrecisionM = floatPairPrecision(lat, lon, la.Kind)
	}
	return co
}

// carried sets a coordinate's precision to what its encoding carries: the
// finer of the two values' decimals. A mock location of 37.422 beside a
// longitude of -122.084072 travels in a channel that carries six decimals;
// the latitude's trailing zeros are the place, not a rounding by the sender.
// (Plausibility keeps using the coarser count.)
func carried(co *Coord, decimals int) *Coord {
	if co == nil || decimals <= co.decimals {
		return co
	}
	prec := metresPerDegree * math.Pow(10, -float64(decimals))
	co.PrecisionM = math.Round(prec*10) / 10
	if co.PrecisionM == 0 {
		co.PrecisionM = 0.1
	}
	return co
}

func absInt(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// reTextPair is a coordinate pair written into one string, as apps log a
// fix: "31.230416,121.473701", "-33.8688, 151.2093".
var reTextPair = lazyre.New(`^\s*(-?\d{1,3}\.\d{3,9})\s*[,;]\s*(-?\d{1,3}\.\d{3,9})\s*$`)

// textPair recognises a pair inside one text leaf; like an unnamed pair of
// leaves, it must look like a fix by itself unless the catalog knows it
// (ax, with its axis order).
func textPair(f *Field, ax *catalog.Axes) *Coord {
	if f.Kind != KindText || len(f.Text) > 48 {
		return nil
	}
	m := reTextPair.FindStringSubmatch(f.Text)
	if m == nil {
		return nil
	}
	x, dx, _ := decimal(m[1])
	y, dy, _ := decimal(m[2])
	if ax != nil {
		co := carried(orient(x, y, min(dx, dy), "decimal", ax.Order), max(dx, dy))
		if co != nil {
			co.Axes = AxesCatalog
		}
		return co
	}
	co := orient(x, y, min(dx, dy), "decimal", "")
	if co == nil || !plausibleUnnamed(co) {
		return nil
	}
	return co
}

// asInt32 reads a varint sent as an unsigned 32-bit two's complement
// (int32 fields some encoders write in 5 bytes) as the signed value.
func asInt32(u uint64) int64 {
	if u >= 1<<31 && u < 1<<32 {
		return int64(int32(uint32(u)))
	}
	return int64(u)
}
