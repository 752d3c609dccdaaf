// This file places the synthetic user on Earth and plants their fixes.
// Cities span every quadrant, including places where both values are
// within ±90° (London, Paris, Delhi, Nairobi, São Paulo), so that a
// detector cannot tell latitude from longitude by magnitude and must know
// each endpoint's axis order (classify/TAXONOMY.md, "Axis order"). Each
// city comes with the time zone and carrier a phone there reports, so the
// run's other location evidence agrees with its fixes.

package synth

import (
	"math"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// city is where a run's user is.
type city struct {
	name     string
	lat, lon float64
	zone     string // IANA time zone
	carrier  string // MCC+MNC of a local operator
}

var cities = []city{
	{"Shenzhen", 22.5431, 114.0579, "Asia/Shanghai", "46000"},
	{"Shanghai", 31.2304, 121.4737, "Asia/Shanghai", "46001"},
	{"Beijing", 39.9042, 116.4074, "Asia/Shanghai", "46011"},
	{"Hong Kong", 22.3193, 114.1694, "Asia/Hong_Kong", "45400"},
	{"Toronto", 43.6532, -79.3832, "America/Toronto", "302720"},
	{"London", 51.5074, -0.1278, "Europe/London", "23410"},
	{"Paris", 48.8566, 2.3522, "Europe/Paris", "20801"},
	{"Delhi", 28.6139, 77.2090, "Asia/Kolkata", "40410"},
	{"São Paulo", -23.5505, -46.6333, "America/Sao_Paulo", "72405"},
	{"Nairobi", -1.2921, 36.8219, "Africa/Nairobi", "63902"},
	{"Moscow", 55.7558, 37.6173, "Europe/Moscow", "25001"},
	{"Sydney", -33.8688, 151.2093, "Australia/Sydney", "50501"},
}

// Fix is the ground truth of one coordinate pair in a payload: the place,
// the order its two values travel in, and the precision their encoding
// carries. It is set on the pair's first planted value.
type Fix struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	// Order is "lat,lon" or "lon,lat": the order on the wire.
	Order string `json:"order"`
	// PrecisionM is what the encoding carries, in metres of latitude per
	// degree: a float32's spacing at the larger magnitude, else the
	// decimals sent (six: about 0.1 m).
	PrecisionM float64 `json:"precision_m"`
}

// Wire orders of a coordinate pair.
const (
	latFirst = "lat,lon"
	lonFirst = "lon,lat"
)

// encZigzag marks a sint32 micro-degree value: the planted Value is the
// zigzag-encoded varint, so Bytes finds it on the wire.
const encZigzag = encVarint

// fixPrecision is the precision an encoding carries for (lat, lon).
func fixPrecision(enc string, lat, lon float64) float64 {
	if enc == encFloat32 {
		sp := func(v float64) float64 {
			f := float32(math.Abs(v))
			return float64(math.Nextafter32(f, float32(math.Inf(1))) - f)
		}
		return math.Round(max(sp(lat), sp(lon))*111_320*10) / 10
	}
	return 0.1 // six decimals, a float64 of them, or micro-degrees
}

// pair plants a coordinate pair sent as two values at first and second (in
// wire order), in encoding enc (encFloat32, encFloat64, encString with six
// decimals, or encZigzag for sint32 micro-degrees), with its Fix.
func (p *planter) pair(first, second, enc, order string, lat, lon float64) {
	a, b := lat, lon
	if order == lonFirst {
		a, b = lon, lat
	}
	add := func(path string, v float64) {
		switch enc {
		case encFloat32:
			p.f32(taxonomy.Location, path, v)
		case encFloat64:
			p.f64(taxonomy.Location, path, v)
		case encString:
			p.s(taxonomy.Location, path, coord(v))
		default:
			p.u(taxonomy.Location, path, zigzag32(microdegrees(v)))
		}
	}
	add(first, a)
	(*p)[len(*p)-1].Fix = &Fix{Lat: lat, Lon: lon, Order: order, PrecisionM: fixPrecision(enc, lat, lon)}
	add(second, b)
}

// text plants a pair written into one string, "lat,lon".
func (p *planter) textPair(path string, lat, lon float64) {
	p.s(taxonomy.Location, path, coord(lat)+","+coord(lon))
	(*p)[len(*p)-1].Fix = &Fix{Lat: lat, Lon: lon, Order: latFirst, PrecisionM: 0.1}
}

func microdegrees(v float64) int32 { return int32(math.Round(v * 1e6)) }

// zigzag32 is the sint32 wire form of v.
func zigzag32(v int32) uint64 { return uint64(uint32((v << 1) ^ (v >> 31))) }
