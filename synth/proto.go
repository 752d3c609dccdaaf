// This file holds the protobuf wire builder the payload builders use and the
// BaseRequest most requests start with. See doc/protocol.md, section 6.

package synth

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/taxonomy"
)

// pb is a protobuf message under construction; each method appends one field.
type pb []byte

func (m pb) varint(n protowire.Number, v uint64) pb {
	m = protowire.AppendTag(m, n, protowire.VarintType)
	return protowire.AppendVarint(m, v)
}

func (m pb) str(n protowire.Number, s string) pb {
	m = protowire.AppendTag(m, n, protowire.BytesType)
	return protowire.AppendString(m, s)
}

func (m pb) bytes(n protowire.Number, b []byte) pb {
	m = protowire.AppendTag(m, n, protowire.BytesType)
	return protowire.AppendBytes(m, b)
}

func (m pb) msg(n protowire.Number, sub pb) pb { return m.bytes(n, sub) }

func (m pb) f32(n protowire.Number, v float32) pb {
	m = protowire.AppendTag(m, n, protowire.Fixed32Type)
	return protowire.AppendFixed32(m, math.Float32bits(v))
}

func (m pb) f64(n protowire.Number, v float64) pb {
	m = protowire.AppendTag(m, n, protowire.Fixed64Type)
	return protowire.AppendFixed64(m, math.Float64bits(v))
}

// Encodings of a planted value in the payload bytes (Planted.Encoding).
const (
	encString  = "string"  // the value's UTF-8 bytes appear verbatim
	encVarint  = "varint"  // a decimal integer stored as a protobuf varint
	encFloat32 = "float32" // a decimal number stored as a little-endian IEEE float
	encFloat64 = "float64" // a decimal number stored as a little-endian IEEE double
	encHex     = "hex"     // raw bytes (a binary ticket or key), written as lowercase hex
)

// Planted is one piece of personal data a scenario put into a payload.
//
// FieldPath names where it sits: protobuf field numbers joined by "."
// ("1.3" = field 3 of the message in field 1); a value inside a string
// field that holds JSON, a query string or a comma-separated report line
// adds ":" and the JSON key path (dotted), query parameter name, or
// 1-based column ("3:page_path", "2.2:5", "?uin" for a plain-HTTP query).
type Planted struct {
	DataType  taxonomy.DataType `json:"data_type"`
	FieldPath string            `json:"field_path"`
	Value     string            `json:"value"`
	Encoding  string            `json:"encoding"`
	// Fix is set on the first value of a coordinate pair: the place, the
	// wire order and the precision (location.go).
	Fix *Fix `json:"fix,omitempty"`
}

// Bytes returns the bytes that must occur in the payload for the value.
func (p Planted) Bytes() []byte {
	switch p.Encoding {
	case encVarint:
		v, err := strconv.ParseUint(p.Value, 10, 64)
		if err != nil {
			return nil
		}
		return protowire.AppendVarint(nil, v)
	case encFloat32:
		f, err := strconv.ParseFloat(p.Value, 64)
		if err != nil {
			return nil
		}
		return binary.LittleEndian.AppendUint32(nil, math.Float32bits(float32(f)))
	case encFloat64:
		f, err := strconv.ParseFloat(p.Value, 64)
		if err != nil {
			return nil
		}
		return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))
	case encHex:
		b, err := hex.DecodeString(p.Value)
		if err != nil {
			return nil
		}
		return b
	}
	return []byte(p.Value)
}

// planter collects the planted values of one payload.
type planter []Planted

func (p *planter) s(typ taxonomy.DataType, path, v string) {
	*p = append(*p, Planted{DataType: typ, FieldPath: path, Value: v, Encoding: encString})
}

func (p *planter) u(typ taxonomy.DataType, path string, v uint64) {
	*p = append(*p, Planted{DataType: typ, FieldPath: path, Value: strconv.FormatUint(v, 10), Encoding: encVarint})
}

func (p *planter) hex(typ taxonomy.DataType, path string, b []byte) {
	*p = append(*p, Planted{DataType: typ, FieldPath: path, Value: hex.EncodeToString(b), Encoding: encHex})
}

func (p *planter) f32(typ taxonomy.DataType, path string, v float64) {
	*p = append(*p, Planted{DataType: typ, FieldPath: path, Value: strconv.FormatFloat(v, 'f', -1, 64), Encoding: encFloat32})
}

func (p *planter) f64(typ taxonomy.DataType, path string, v float64) {
	*p = append(*p, Planted{DataType: typ, FieldPath: path, Value: strconv.FormatFloat(v, 'f', -1, 64), Encoding: encFloat64})
}

// baseRequest builds the BaseRequest of field 1 and plants its values under
// path prefix "1.". scene is the BaseRequest scene (0 for most calls).
func baseRequest(id *identity, scene uint64, p *planter) pb {
	var m pb
	// Field 1 carries no key in real traffic: a fixed placeholder.
	m = m.bytes(1, make([]byte, 0))
	m = m.varint(2, uint64(id.Uin))
	m = m.str(3, id.DeviceID+"\x00")
	m = m.varint(4, uint64(id.ClientVersion))
	m = m.str(5, id.DeviceType())
	m = m.varint(6, scene)
	p.u(taxonomy.AccountID, "1.2", uint64(id.Uin))
	p.s(taxonomy.DeviceID, "1.3", id.DeviceID)
	p.u(taxonomy.ClientVersion, "1.4", uint64(id.ClientVersion))
	p.s(taxonomy.OSVersion, "1.5", id.DeviceType())
	return m
}
