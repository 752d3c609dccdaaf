package decode

import (
	"encoding/json"
	"strconv"

	"github.com/wxaudit/wxaudit/internal/jsonw"
	"github.com/wxaudit/wxaudit/schemaless"
)

// Field is one node of the tree in the JSONL output, the form records had
// before AppendJSON wrote them from the tree: json.Marshal of a
// fieldsRecord is the reference AppendJSON is checked against.
type Field struct {
	Path         string                   `json:"path"`
	Index        int                      `json:"index,omitempty"`
	Depth        int                      `json:"depth"`
	Name         string                   `json:"name,omitempty"`
	Wire         string                   `json:"wire,omitempty"`
	Kind         schemaless.Kind          `json:"kind"`
	Chain        []schemaless.Kind        `json:"chain,omitempty"`
	Confidence   float64                  `json:"confidence"`
	Value        json.RawMessage          `json:"value,omitempty"`
	Float        *float64                 `json:"float,omitempty"`
	Span         [2]int                   `json:"span"`
	Derived      bool                     `json:"derived,omitempty"`
	Hints        []string                 `json:"hints,omitempty"`
	Alternatives []schemaless.Alternative `json:"alternatives,omitempty"`
	Reason       string                   `json:"reason,omitempty"`
	Budget       string                   `json:"budget,omitempty"`
}

// fieldsRecord is a Record with its nodes as Fields.
type fieldsRecord struct {
	Record
	Fields []Field `json:"fields,omitempty"`
}

// flatten lists m's nodes in pre-order (without the root when it is a
// plain message).
func flatten(m *schemaless.Tree) []Field {
	var out []Field
	m.Walk(func(n *schemaless.Node, depth int) bool {
		if depth == 0 && n.Kind == schemaless.KindMessage && n.Reason == "" {
			return true
		}
		f := Field{
			Path: n.Path, Index: n.Index, Depth: depth, Name: n.Name, Kind: n.Kind, Chain: n.Chain,
			Confidence: n.Confidence, Span: [2]int{n.Span.Offset, n.Span.Length}, Derived: n.Derived,
			Hints: n.Hints, Alternatives: n.Alternatives, Reason: n.Reason, Budget: n.Budget,
		}
		if n.Wire != schemaless.WireNone {
			f.Wire = n.Wire.String()
		}
		if len(n.Children) == 0 {
			f.Value = value(n)
		}
		if n.HasFloat && (n.Kind == schemaless.KindFixed32 || n.Kind == schemaless.KindFixed64) {
			v := n.Float
			f.Float = &v
		}
		out = append(out, f)
		return true
	})
	if len(out) == 0 {
		return nil
	}
	return out
}

func value(n *schemaless.Node) json.RawMessage {
	switch n.Kind {
	case schemaless.KindVarint, schemaless.KindFixed32, schemaless.KindFixed64:
		return json.RawMessage(strconv.FormatUint(n.Uint, 10))
	case schemaless.KindBool:
		return json.RawMessage(strconv.FormatBool(n.Uint != 0))
	case schemaless.KindNumber:
		if json.Valid([]byte(n.Text)) {
			return json.RawMessage(n.Text)
		}
	case schemaless.KindNull:
		return json.RawMessage("null")
	case schemaless.KindBytes, schemaless.KindOpaque:
		return jsonw.AppendHexString(nil, n.Bytes)
	case schemaless.KindMessage, schemaless.KindJSON, schemaless.KindXML, schemaless.KindGroup:
		return nil
	}
	return jsonw.AppendString(nil, n.Text, true) // as json.Marshal escapes it
}
