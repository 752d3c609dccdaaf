// This file defines the decoded tree: Tree, Node and their kinds. The
// tree is the contract between decode and the later stages (classify,
// analyze); fields are only ever added, never renamed.

package schemaless

import (
	"fmt"
	"strconv"
)

// Kind is one interpretation of a run of bytes or of a wire value.
type Kind uint8

// Kinds. A Node's Kind is its final interpretation; Node.Chain lists every
// step from the wire to it (e.g. bytes → zlib → message).
const (
	KindUnknown    Kind = iota
	KindMessage         // protobuf message; Children are its fields
	KindString          // UTF-8 text (Text)
	KindBytes           // raw bytes (Bytes), no better hypothesis
	KindVarint          // wire type 0 (Uint)
	KindFixed32         // wire type 5 (Uint; Float when plausible)
	KindFixed64         // wire type 1 (Uint; Float when plausible)
	KindPacked          // packed repeated scalars; Children are the elements
	KindGroup           // wire types 3/4; Children are its fields
	KindJSON            // JSON document; Children are members/elements
	KindXML             // XML document; Children are elements/attributes
	KindQuery           // URL query string / form; Children are the parameters
	KindURLEncoded      // percent-encoded text, decoded into Text
	KindBase64          // base64 text, decoded; one child holds the decoded bytes
	KindZlib            // zlib/deflate stream, inflated; one child holds the result
	KindReportLine      // comma-separated kv report line; Children are positional values
	KindOpaque          // high-entropy bytes that look encrypted or compressed
	KindNumber          // JSON number (Text holds the literal; Float the value)
	KindBool            // JSON true/false (Uint 1/0)
	KindNull            // JSON null
)

var kindNames = [...]string{
	KindUnknown:    "unknown",
	KindMessage:    "message",
	KindString:     "string",
	KindBytes:      "bytes",
	KindVarint:     "varint",
	KindFixed32:    "fixed32",
	KindFixed64:    "fixed64",
	KindPacked:     "packed",
	KindGroup:      "group",
	KindJSON:       "json",
	KindXML:        "xml",
	KindQuery:      "query",
	KindURLEncoded: "urlencoded",
	KindBase64:     "base64",
	KindZlib:       "zlib",
	KindReportLine: "report_line",
	KindOpaque:     "opaque",
	KindNumber:     "number",
	KindBool:       "bool",
	KindNull:       "null",
}

// String returns the lowercase name used in JSON output; unknown values
// print numerically.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// parseKind is the inverse of String.
func parseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return KindUnknown, false
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	v, ok := parseKind(string(b))
	if !ok {
		return fmt.Errorf("schemaless: unknown kind %q", b)
	}
	*k = v
	return nil
}

// WireType is a protobuf wire type, or WireNone for nodes that did not come
// from the protobuf wire (JSON members, query parameters, report values).
type WireType int8

// Wire types (protobuf encoding spec).
const (
	WireNone       WireType = -1
	WireVarint     WireType = 0
	WireFixed64    WireType = 1
	WireBytes      WireType = 2
	WireStartGroup WireType = 3
	WireEndGroup   WireType = 4
	WireFixed32    WireType = 5
)

// String names the wire type as protoscope does.
func (w WireType) String() string {
	switch w {
	case WireNone:
		return "none"
	case WireVarint:
		return "varint"
	case WireFixed64:
		return "i64"
	case WireBytes:
		return "len"
	case WireStartGroup:
		return "sgroup"
	case WireEndGroup:
		return "egroup"
	case WireFixed32:
		return "i32"
	}
	return "wire(" + strconv.Itoa(int(w)) + ")"
}

// Span locates bytes in a buffer: [Offset, Offset+Length).
//
// A node's Span is relative to its buffer: the original input for nodes
// reached without a transform, or the output of the nearest enclosing
// transform (zlib, base64, percent-decoding) when Node.Derived is set. Leaf
// gives the span in the original input as well.
type Span struct {
	Offset int `json:"offset"`
	Length int `json:"length"`
}

// End returns Offset+Length.
func (s Span) End() int { return s.Offset + s.Length }

// Alternative is a hypothesis that lost to the node's Kind but was plausible.
type Alternative struct {
	Kind       Kind    `json:"kind"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason,omitempty"`
}

// Node is one decoded value: a protobuf field, a JSON member, a query
// parameter, a report value or an opaque run of bytes.
//
// Exactly which value fields are set depends on Kind:
//   - KindVarint, KindFixed32, KindFixed64, KindBool: Uint (and Float for
//     fixed when HasFloat)
//   - KindString, KindURLEncoded, KindNumber: Text (decoded)
//   - KindBytes, KindOpaque: Bytes (aliases the input; copy to keep)
//   - KindMessage, KindGroup, KindPacked, KindJSON, KindXML, KindQuery,
//     KindReportLine, KindBase64, KindZlib: Children (and Text for the
//     textual container kinds)
type Node struct {
	// Position.
	Field int32    `json:"field,omitempty"` // protobuf field number; 0 when not from the wire
	Key   string   `json:"key,omitempty"`   // JSON/query/XML key, or "$i" for positional values
	Index int      `json:"index,omitempty"` // occurrence among siblings with the same Field/Key, from 0
	Path  string   `json:"path"`            // e.g. "2.1.3", "1.4.page_path", "3.$2"
	Wire  WireType `json:"wire"`
	Span  Span     `json:"span"`
	// Derived is set when Span is relative to a transform's output rather
	// than the original input.
	Derived bool `json:"derived,omitempty"`

	// Interpretation.
	Kind         Kind          `json:"kind"`
	Chain        []Kind        `json:"chain,omitempty"`
	Confidence   float64       `json:"confidence"`
	Alternatives []Alternative `json:"alternatives,omitempty"`
	Name         string        `json:"name,omitempty"`  // from the catalog or a schema
	Hints        []string      `json:"hints,omitempty"` // e.g. "zigzag=-3", "unix_time"

	// Value.
	Uint     uint64  `json:"uint,omitempty"`
	Float    float64 `json:"float,omitempty"`
	HasFloat bool    `json:"has_float,omitempty"`
	Text     string  `json:"text,omitempty"`
	Bytes    []byte  `json:"bytes,omitempty"`

	Children []*Node `json:"children,omitempty"`

	// Problems. Reason says why a node is bytes/opaque or where decoding
	// stopped; Budget names the budget that was exhausted at this node.
	Reason string `json:"reason,omitempty"`
	Budget string `json:"budget,omitempty"`
}

// Int64 returns Uint as a two's-complement int64 (int32/int64 fields).
func (n *Node) Int64() int64 { return int64(n.Uint) }

// zigzag returns Uint decoded as a zigzag sint64.
func (n *Node) zigzag() int64 { return int64(n.Uint>>1) ^ -int64(n.Uint&1) }

// Tree is the result of Decode: a tree rooted at Root plus statistics.
//
// Root has an empty Path. When the input is a protobuf message Root.Kind is
// KindMessage and Root.Children are the top-level fields; otherwise Root is
// the best interpretation of the whole input (zlib, opaque, …).
type Tree struct {
	Root *Node `json:"root"`
	// Size is the length of the input.
	Size int `json:"size"`
	// Stopped is the byte offset of the input where top-level protobuf
	// parsing stopped; Size when the whole input parsed.
	Stopped int `json:"stopped"`
	// Nodes is the number of nodes in the tree.
	Nodes int `json:"nodes"`
	// Work counts bytes examined by all hypotheses (the work budget).
	Work int `json:"work"`
	// Inflated counts bytes produced by zlib/base64 decoding.
	Inflated int `json:"inflated"`
	// Budgets lists the budgets that were hit anywhere in the tree.
	Budgets []string `json:"budgets,omitempty"`
}

// Opaque reports whether nothing structured was found: the root is opaque or
// plain bytes.
func (m *Tree) Opaque() bool {
	return m.Root == nil || m.Root.Kind == KindOpaque || m.Root.Kind == KindBytes
}
