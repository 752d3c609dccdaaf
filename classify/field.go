package classify

import (
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// Kind says how a leaf's value is held. It mirrors the leaf kinds of the
// schema-less decoder without importing it, so detectors can be tested on
// hand-written leaves.
type Kind uint8

// Leaf kinds.
const (
	KindText    Kind = iota + 1 // Text holds UTF-8 text (string, JSON string, query value, report value)
	KindBytes                   // Bytes holds raw bytes
	KindVarint                  // Uint holds a varint (int32/int64 as two's complement)
	KindFixed32                 // Uint holds the 32 bits; Float the float32 value
	KindFixed64                 // Uint holds the 64 bits; Float the float64 value
	KindNumber                  // a number written as text (JSON number); Text and Float
	KindOpaque                  // high-entropy bytes that look encrypted or compressed
)

// Field is one leaf of a decoded request.
//
// Path uses the decoder's syntax: protobuf field numbers, JSON/query/XML keys
// and "$i" for positional values of a report line, joined by dots
// ("2.1.3", "2.7.page_path", "4.4.2.$5"). Leaves must be given in tree
// pre-order, so that siblings are adjacent.
type Field struct {
	Path  string
	Kind  Kind
	Text  string
	Bytes []byte
	Uint  uint64
	Float float64
	// HasFloat is set when Float is meaningful.
	HasFloat bool
	// Container is set for a text value the decoder also split into
	// children (a JSON document, query string, XML or report line). Rules
	// match containers by path; value detectors look at their children.
	Container bool
	// Chain lists the encodings traversed from the wire to the value, by
	// name ("zlib", "json", "query", "xml", "report_line", "base64",
	// "urlencoded"); detectors use it to recognise text inside reports.
	Chain []string
	// Entry numbers the innermost report line or repeated element that
	// holds the leaf (from 1, unique within a request); 0 when the leaf
	// belongs to no such entry. Values in one entry describe one event.
	Entry int
	// Outer is the entry that holds Entry (0 for the top level): events
	// batched inside an event.
	Outer int
	// Span is the leaf's [offset, length] in the request payload, or of the
	// outermost encoding that holds it when the leaf was decoded from
	// transformed bytes (zlib, base64).
	Span [2]int
}

// parent returns Path without its last component.
func (f *Field) parent() string {
	if i := strings.LastIndexByte(f.Path, '.'); i >= 0 {
		return f.Path[:i]
	}
	return ""
}

// key returns the last component of Path.
func (f *Field) key() string {
	if i := strings.LastIndexByte(f.Path, '.'); i >= 0 {
		return f.Path[i+1:]
	}
	return f.Path
}

// num returns the last path component as a field number or positional
// index ("$3" → 3), and whether it is one.
func (f *Field) num() (int, bool) {
	k := strings.TrimPrefix(f.key(), "$")
	n, err := strconv.Atoi(k)
	return n, err == nil
}

// inChain reports whether the encoding named e was traversed.
func (f *Field) inChain(e string) bool {
	for _, c := range f.Chain {
		if c == e {
			return true
		}
	}
	return false
}

// Request is what the classifier knows about the request a leaf came from.
type Request struct {
	URI     string // API path, e.g. /cgi-bin/micromsg-bin/newsync; may be empty
	ReqType int    // request type id; 0 when unknown
}

// Coord is a coordinate found in a request.
type Coord struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
	// PrecisionM estimates the precision in metres from the digits sent.
	PrecisionM float64 `json:"precision_m"`
	// Encoding names how it was sent: "float32", "float64", "decimal",
	// "microdegrees", "microdegrees-zigzag".
	Encoding string `json:"encoding"`
	// Axes says how the latitude was told from the longitude: AxesNames,
	// AxesCatalog, AxesRange, AxesEvidence, or AxesAmbiguous and
	// AxesSwapped for the two readings of a pair nothing decided (see
	// TAXONOMY.md, "Axis order").
	Axes string `json:"axes,omitempty"`

	decimals      int  // digits after the point of the coarser value
	needsEvidence bool // a shape counters share: kept only if evidence confirms it
}

// How a coordinate's axis order was decided (Coord.Axes).
const (
	AxesNames   = "names"   // the fields are named latitude and longitude
	AxesCatalog = "catalog" // the catalog records the field's order
	AxesRange   = "range"   // one value is beyond ±90°: the longitude
	// AxesEvidence: both readings were possible; another fix, the
	// carrier's country, the time zone or the locale chose one.
	AxesEvidence = "evidence"
	// AxesAmbiguous is the reading in the order sent (first value as the
	// latitude) of a pair nothing decided; AxesSwapped is the other
	// reading, reported beside it. Both are low confidence.
	AxesAmbiguous = "ambiguous"
	AxesSwapped   = "swapped"
)

// Finding is one data type found in one leaf (or a pair of leaves).
type Finding struct {
	DataType   taxonomy.DataType   `json:"data_type"`
	Confidence taxonomy.Confidence `json:"confidence"`
	FieldPath  string              `json:"field_path"`
	// Value is an excerpt of the value, at most MaxExcerpt bytes.
	Value  string `json:"value"`
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
	// Coord is set for location and coarse_location findings.
	Coord *Coord `json:"coord,omitempty"`
	// Canary names the canary that matched, for canary findings.
	Canary string `json:"canary,omitempty"`
}

// MaxExcerpt bounds Finding.Value.
const MaxExcerpt = 160

// excerpt shortens s to MaxExcerpt bytes on a rune boundary.
func excerpt(s string) string {
	if len(s) <= MaxExcerpt {
		return s
	}
	cut := MaxExcerpt
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// display renders a leaf value for an excerpt.
func (f *Field) display() string {
	switch f.Kind {
	case KindText, KindNumber:
		return excerpt(strings.TrimRight(f.Text, "\x00"))
	case KindVarint:
		return strconv.FormatUint(f.Uint, 10)
	case KindFixed32, KindFixed64:
		if f.HasFloat {
			return strconv.FormatFloat(f.Float, 'g', -1, 64)
		}
		return strconv.FormatUint(f.Uint, 10)
	case KindBytes, KindOpaque:
		const n = MaxExcerpt / 2
		b := f.Bytes
		if len(b) > n {
			return hexString(b[:n]) + "…"
		}
		return hexString(b)
	}
	return ""
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
