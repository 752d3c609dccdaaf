package classify

import (
	"math"
	"strconv"
	"testing"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// Fixes where both values are within ±90°, so that magnitude cannot tell
// the latitude from the longitude, and one per quadrant beyond it.
var places = []struct {
	name     string
	lat, lon float64
}{
	{"london", 51.507351, -0.127758},
	{"paris", 48.856613, 2.352222},
	{"delhi", 28.613939, 77.209021},
	{"são paulo", -23.55052, -46.633308},
	{"nairobi", -1.292066, 36.821946},
	{"moscow", 55.755826, 37.6173},
	{"toronto", 43.653226, -79.383184},
	{"sydney", -33.86882, 151.209296},
	{"shanghai", 31.230416, 121.473701},
}

func zigzag(v int64) uint64 { return uint64((v << 1) ^ (v >> 63)) }

func micro(v float64) int64 { return int64(math.Round(v * 1e6)) }

// TestAxisOrderFromCatalog: the catalog's knowledge of getpoilist (3964)
// orients every encoding it sends, in both orders, anywhere on Earth.
func TestAxisOrderFromCatalog(t *testing.T) {
	c := New(Options{})
	req := Request{URI: "/cgi-bin/micromsg-bin/getpoilist", ReqType: 3964}
	for _, p := range places {
		encs := []struct {
			name   string
			fields []Field
			enc    string
		}{
			{"float32 lon,lat", []Field{f32("2", float32(p.lon)), f32("3", float32(p.lat))}, "float32"},
			{"float64 lon,lat", []Field{f64("4.1", p.lon), f64("4.2", p.lat)}, "float64"},
			{"string lat,lon", []Field{text("5", ftoa6(p.lat)+","+ftoa6(p.lon))}, "decimal"},
			{"zigzag lat,lon", []Field{{Path: "8.1", Kind: KindVarint, Uint: zigzag(micro(p.lat))}, {Path: "8.2", Kind: KindVarint, Uint: zigzag(micro(p.lon))}}, "microdegrees-zigzag"},
		}
		for _, e := range encs {
			t.Run(p.name+"/"+e.name, func(t *testing.T) {
				got := c.Classify(req, e.fields)
				co := coordOf(got)
				if co == nil || !has(got, taxonomy.Location) {
					t.Fatalf("no location: %+v", got)
				}
				if math.Abs(co.Lat-p.lat) > 1e-4 || math.Abs(co.Lon-p.lon) > 1e-4 {
					t.Fatalf("got %.6f,%.6f want %.6f,%.6f", co.Lat, co.Lon, p.lat, p.lon)
				}
				if co.Axes != AxesCatalog || co.Encoding != e.enc {
					t.Fatalf("axes %q encoding %q, want catalog, %s", co.Axes, co.Encoding, e.enc)
				}
				if n := coords(got); n != 1 {
					t.Fatalf("%d readings, want 1: %+v", n, got)
				}
			})
		}
	}
}

func ftoa6(v float64) string { return ftoaN(v, 6) }

func coords(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if f.Coord != nil {
			n++
		}
	}
	return n
}

// TestAxisOrderFromReportLine: a report line's order is known by its log
// id; the same positions under another log id are not.
func TestAxisOrderFromReportLine(t *testing.T) {
	c := New(Options{})
	req := Request{URI: "/cgi-bin/micromsg-bin/newreportkvcomm", ReqType: 996}
	line := func(logID uint64, a, b string) []Field {
		return []Field{{Path: "4.4.1", Kind: KindVarint, Uint: logID}, inReport(text("4.4.2.$0", a)), inReport(text("4.4.2.$1", b)), inReport(text("4.4.2.$2", "30"))}
	}
	got := c.Classify(req, line(15391, "48856613", "2352222"))
	if co := coordOf(got); co == nil || co.Axes != AxesCatalog || co.Lat != 48.856613 || co.Lon != 2.352222 {
		t.Fatalf("known line: %+v", got)
	}
	// Positive micro-degrees under 90 in a line nothing knows: counters.
	if got := c.Classify(req, line(12345, "48856613", "2352222")); coordOf(got) != nil {
		t.Fatalf("unknown line read as a place: %+v", got)
	}
}

// TestAxisOrderFromEvidence: pairs nobody names are oriented by another fix
// of the device, the carrier's country or the time zone; without any, both
// readings are reported at low confidence.
func TestAxisOrderFromEvidence(t *testing.T) {
	c := New(Options{})
	paris := []Field{f32("7.1", 2.352222), f32("7.2", 48.856613)} // unknown request, longitude first
	tests := []struct {
		name     string
		extra    []Field
		lat, lon float64
	}{
		{"named fix elsewhere in the request", []Field{num("9.latitude", "48.8566"), num("9.longitude", "2.3522")}, 48.856613, 2.352222},
		{"french carrier", []Field{text("9.mccmnc", "20801")}, 48.856613, 2.352222},
		{"paris time zone", []Field{text("9.timezone", "Europe/Paris")}, 48.856613, 2.352222},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(Request{ReqType: 55555}, append(append([]Field(nil), paris...), tt.extra...))
			var co *Coord
			for _, f := range got {
				if f.Coord != nil && f.FieldPath == "7.1+2" {
					if co != nil {
						t.Fatalf("two readings survive evidence: %+v", got)
					}
					co = f.Coord
					if f.Confidence != taxonomy.High {
						t.Errorf("confidence %s", f.Confidence)
					}
				}
			}
			if co == nil || co.Axes != AxesEvidence || math.Abs(co.Lat-tt.lat) > 1e-4 || math.Abs(co.Lon-tt.lon) > 1e-4 {
				t.Fatalf("got %+v", co)
			}
		})
	}
	// No evidence: both readings, low confidence, never one silently.
	got := c.Classify(Request{ReqType: 55555}, paris)
	var readings [][2]float64
	for _, f := range got {
		if f.Coord == nil {
			continue
		}
		if f.Confidence != taxonomy.Low {
			t.Errorf("ambiguous at %s", f.Confidence)
		}
		readings = append(readings, [2]float64{f.Coord.Lat, f.Coord.Lon})
	}
	if len(readings) != 2 || readings[0][0] != readings[1][1] || readings[0][1] != readings[1][0] {
		t.Fatalf("want both readings: %+v", got)
	}
	// Micro-degrees both positive and under 90 with nothing to confirm
	// them are a pair of counters; next to a fix of the same place they
	// are that place.
	if got := c.Classify(Request{}, []Field{varint("3.1", 48856613), varint("3.2", 2352222)}); coordOf(got) != nil {
		t.Fatalf("unconfirmed positive micro-degrees: %+v", got)
	}
	got = c.Classify(Request{}, []Field{varint("3.1", 2352222), varint("3.2", 48856613), num("9.lat", "48.856613"), num("9.lng", "2.352222")})
	found := false
	for _, f := range got {
		if f.FieldPath == "3.1+2" && f.Coord != nil {
			found = f.Coord.Lat == 48.856613 && f.Coord.Lon == 2.352222 && f.Coord.Axes == AxesEvidence
		}
	}
	if !found {
		t.Fatalf("micro-degrees confirmed by a named fix: %+v", got)
	}
}

// TestRunEvidence: a caller that sees a whole run orients a pair with a fix
// another request stated.
func TestRunEvidence(t *testing.T) {
	c := New(Options{})
	first := c.Classify(Request{}, []Field{num("2.latitude", "-1.292066"), num("2.longitude", "36.821946")})
	later := c.Classify(Request{ReqType: 4242}, []Field{f64("3.1", 36.821946), f64("3.2", -1.292066)})
	if coords(later) != 2 {
		t.Fatalf("want two readings before the run's evidence: %+v", later)
	}
	var ev Evidence
	ev.Learn(first)
	later = ev.Orient(later)
	if coords(later) != 1 {
		t.Fatalf("want one reading: %+v", later)
	}
	if co := coordOf(later); co.Lat != -1.292066 || co.Lon != 36.821946 || co.Axes != AxesEvidence {
		t.Fatalf("got %+v", co)
	}
}

// TestFloatPrecision: a float32 carries what its spacing at that magnitude
// allows, not the digits its shortest decimal shows.
func TestFloatPrecision(t *testing.T) {
	c := New(Options{})
	tests := []struct {
		name     string
		fields   []Field
		min, max float64
	}{
		{"float32 toronto", []Field{f32("2", -79.383184), f32("3", 43.653226)}, 0.4, 0.9},
		{"float32 mountain view", []Field{f32("2", -122.084072), f32("3", 37.422)}, 0.4, 0.9},
		{"float64 six decimals", []Field{f64("4.1", -79.383184), f64("4.2", 43.653226)}, 0.1, 0.1},
		{"float32 rounded by the sender to 3 decimals", []Field{f32("2", -79.383), f32("3", 43.653)}, 111.3, 111.4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			co := coordOf(c.Classify(Request{ReqType: 3964}, tt.fields))
			if co == nil || co.PrecisionM < tt.min || co.PrecisionM > tt.max {
				t.Fatalf("got %+v, want precision in [%v, %v]", co, tt.min, tt.max)
			}
		})
	}
}

func ftoaN(v float64, n int) string { return strconv.FormatFloat(v, 'f', n, 64) }

// TestContactIsNotAccount: the recipient of a sent message is a contact,
// whatever its shape says, and never the account.
func TestContactIsNotAccount(t *testing.T) {
	c := New(Options{})
	for _, req := range []Request{{URI: "/cgi-bin/micromsg-bin/newsendmsg", ReqType: 522}, {ReqType: 77777}} {
		fields := []Field{text("2.1.1", "wxid_peer00001234"), text("2.2", "see you at 8"), varint("2.3", 1), text("2.4", "1690000000")}
		if req.ReqType == 77777 {
			fields = []Field{varint("1", 1), text("7.1.1", "wxid_peer00001234"), text("7.2", "lunch at noon?"), varint("7.3", 1), varint("7.4", 1690000000), varint("7.5", 474693490)}
		}
		got := c.Classify(req, fields)
		if !has(got, taxonomy.ContactsSocialGraph) {
			t.Errorf("%+v: no contact: %+v", req, got)
		}
		for _, f := range got {
			if f.DataType == taxonomy.AccountID {
				t.Errorf("%+v: the recipient reported as the account: %+v", req, f)
			}
		}
	}
}

// TestSearchText: searches in pathless Mini Program and web-search requests
// and in URL-encoded search page addresses.
func TestSearchText(t *testing.T) {
	c := New(Options{})
	tests := []struct {
		name   string
		fields []Field
		want   bool
	}{
		{"pathless search with its session id", []Field{text("1", "coffee near me"), text("3", "-7532554687032179594"), varint("12", 80009061)}, true},
		{"suggestion request", []Field{varint("1", 0), text("2", "did"), varint("5", 80010236), text("21", "-5294457045089592549")}, true},
		{"search page url in a report line", []Field{inReport(text("4.4.2.$0", "file:///data/x/websearch/template/app.html?isHomePage=1&query=%E5%92%96%E5%95%A1&sessionId=-1"))}, true},
		{"bare query string with a search id", []Field{text("2.7", "scene=3&query=train+tickets&searchId=1:2:3")}, true},
		{"top-level text with an unsigned id", []Field{text("1", "coffee near me"), text("3", "7532554687032179594")}, false},
		{"a database query in an api url", []Field{text("2.7", "https://api.example.com/items?query=abc&limit=10")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(Request{ReqType: 4591}, tt.fields)
			if has(got, taxonomy.SearchQuery) != tt.want {
				t.Fatalf("search_query %v, want %v: %+v", !tt.want, tt.want, got)
			}
		})
	}
}

// TestEveryEncodingEveryQuadrant: pairs nothing in the catalog knows, in
// every encoding, at every place; named pairs by their names, unnamed ones
// by the range or, where both values are under 90, by another fix of the
// device in the request (here a JSON fix under names).
func TestEveryEncodingEveryQuadrant(t *testing.T) {
	c := New(Options{})
	for _, p := range places {
		named := []Field{num("9.lat", ftoa6(p.lat)), num("9.lng", ftoa6(p.lon))}
		encs := []struct {
			name   string
			fields []Field
			path   string
		}{
			{"json names", []Field{num("2.latitude", ftoa6(p.lat)), num("2.longitude", ftoa6(p.lon))}, "2.latitude+longitude"},
			{"decimal leaves lat,lon", []Field{text("4.$3", ftoa6(p.lat)), text("4.$4", ftoa6(p.lon))}, "4.$3+$4"},
			{"float32 lon,lat", []Field{f32("6.1", float32(p.lon)), f32("6.2", float32(p.lat))}, "6.1+2"},
			{"float64 lat,lon", []Field{f64("6.1", p.lat), f64("6.2", p.lon)}, "6.1+2"},
			{"sfixed32 micro lon,lat", []Field{sfixed32("5.1", int32(micro(p.lon))), sfixed32("5.2", int32(micro(p.lat)))}, "5.1+2"},
			{"varint micro lat,lon", []Field{{Path: "3.1", Kind: KindVarint, Uint: uint64(micro(p.lat))}, {Path: "3.2", Kind: KindVarint, Uint: uint64(micro(p.lon))}}, "3.1+2"},
			{"one string", []Field{text("7", ftoa6(p.lat)+","+ftoa6(p.lon))}, "7"},
		}
		for _, e := range encs {
			t.Run(p.name+"/"+e.name, func(t *testing.T) {
				if e.name == "varint micro lat,lon" && (p.lat < 0 || p.lon < 0) {
					// A negative int32 in a varint is ten bytes of two's
					// complement; asInt32 covers the five-byte form.
					e.fields[0].Uint, e.fields[1].Uint = uint64(int64(micro(p.lat))), uint64(int64(micro(p.lon)))
				}
				got := c.Classify(Request{ReqType: 66666}, append(append([]Field(nil), e.fields...), named...))
				var co *Coord
				for _, f := range got {
					if f.FieldPath == e.path && f.Coord != nil {
						if co != nil {
							t.Fatalf("two readings: %+v", got)
						}
						co = f.Coord
					}
				}
				if co == nil {
					t.Fatalf("not found: %+v", got)
				}
				if math.Abs(co.Lat-p.lat) > 1e-4 || math.Abs(co.Lon-p.lon) > 1e-4 || co.Axes == AxesAmbiguous {
					t.Fatalf("got %+v, want %.6f,%.6f", co, p.lat, p.lon)
				}
			})
		}
	}
}

// TestReadingsDiffer: the two readings of an ambiguous pair are two values,
// each written latitude first, so no merge of findings by value loses one.
func TestReadingsDiffer(t *testing.T) {
	got := New(Options{}).Classify(Request{ReqType: 55555}, []Field{text("4.$3", "48.856613"), text("4.$4", "2.352222")})
	var vals []string
	for _, f := range got {
		if f.Coord != nil {
			vals = append(vals, f.Value)
		}
	}
	if len(vals) != 2 || vals[0] != "48.856613,2.352222" || vals[1] != "2.352222,48.856613" {
		t.Fatalf("readings %q", vals)
	}
}
