// This file writes Records as JSON without reflection.

package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/wxaudit/wxaudit/internal/jsonw"
	"github.com/wxaudit/wxaudit/schemaless"
)

// AppendJSON appends r as one JSON object: its fields, then the tree's
// nodes as "fields", byte-for-byte what json.Marshal wrote for records
// that held the nodes as a slice of structs (json_test.go keeps that form
// to check it). The only error is a NaN or infinite float, which
// json.Marshal refuses.
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	const html = true // json.Marshal escapes HTML
	dst = r.Input.AppendJSON(append(dst, `{"input":`...), html)
	if r.Endpoint != "" {
		dst = jsonw.AppendString(append(dst, `,"endpoint":`...), r.Endpoint, html)
	}
	dst = jsonw.AppendString(append(dst, `,"feature":`...), r.Feature, html)
	dst = strconv.AppendInt(append(dst, `,"size":`...), int64(r.Size), 10)
	dst = jsonw.AppendString(append(dst, `,"sha256":`...), r.SHA256, html)
	if r.Empty {
		dst = append(dst, `,"empty":true`...)
	}
	if r.Opaque {
		dst = append(dst, `,"opaque":true`...)
	}
	if r.Reason != "" {
		dst = jsonw.AppendString(append(dst, `,"reason":`...), r.Reason, html)
	}
	dst = strconv.AppendInt(append(dst, `,"stopped":`...), int64(r.Stopped), 10)
	if len(r.Budgets) > 0 {
		dst = appendStrings(append(dst, `,"budgets":`...), r.Budgets)
	}
	if r.Tree != nil {
		var err error
		if dst, err = appendFields(dst, r.Tree); err != nil {
			return dst, err
		}
	}
	return append(dst, '}'), nil
}

// appendFields appends `,"fields":[...]`: the tree's nodes in pre-order,
// without the root when it is a plain message, nothing when that leaves
// none. Written from the tree, without an intermediate slice of fields:
// building one was a fifth of wxaudit decode's CPU.
func appendFields(dst []byte, m *schemaless.Tree) ([]byte, error) {
	mark := len(dst)
	dst = append(dst, `,"fields":[`...)
	start := len(dst)
	var err error
	m.Walk(func(n *schemaless.Node, depth int) bool {
		if err != nil {
			return false
		}
		if depth == 0 && n.Kind == schemaless.KindMessage && n.Reason == "" {
			return true
		}
		if len(dst) > start {
			dst = append(dst, ',')
		}
		dst, err = appendNode(dst, n, depth)
		return err == nil
	})
	if err != nil {
		return dst, err
	}
	if len(dst) == start {
		return dst[:mark], nil
	}
	return append(dst, ']'), nil
}

// appendNode appends one node as a field object.
func appendNode(dst []byte, n *schemaless.Node, depth int) ([]byte, error) {
	const html = true
	dst = jsonw.AppendString(append(dst, `{"path":`...), n.Path, html)
	if n.Index != 0 {
		dst = strconv.AppendInt(append(dst, `,"index":`...), int64(n.Index), 10)
	}
	dst = strconv.AppendInt(append(dst, `,"depth":`...), int64(depth), 10)
	if n.Name != "" {
		dst = jsonw.AppendString(append(dst, `,"name":`...), n.Name, html)
	}
	if n.Wire != schemaless.WireNone {
		dst = jsonw.AppendString(append(dst, `,"wire":`...), n.Wire.String(), html)
	}
	dst = jsonw.AppendString(append(dst, `,"kind":`...), n.Kind.String(), html)
	if len(n.Chain) > 0 {
		dst = append(dst, `,"chain":[`...)
		for i, k := range n.Chain {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonw.AppendString(dst, k.String(), html)
		}
		dst = append(dst, ']')
	}
	var ok bool
	if dst, ok = jsonw.AppendFloat(append(dst, `,"confidence":`...), n.Confidence); !ok {
		return dst, fmt.Errorf("decode: json: unsupported value: %v", n.Confidence)
	}
	if len(n.Children) == 0 {
		mark := len(dst)
		dst = append(dst, `,"value":`...)
		start := len(dst)
		if dst, ok = appendValue(dst, n); !ok {
			dst = dst[:mark]
		} else if n.Kind == schemaless.KindNumber {
			// A literal json.Valid accepts may hold spaces: compact it
			// (appendRaw reads all of its input before it writes).
			var err error
			if dst, err = appendRaw(dst[:start], dst[start:]); err != nil {
				return dst, err
			}
		}
	}
	if n.HasFloat && (n.Kind == schemaless.KindFixed32 || n.Kind == schemaless.KindFixed64) {
		if dst, ok = jsonw.AppendFloat(append(dst, `,"float":`...), n.Float); !ok {
			return dst, fmt.Errorf("decode: json: unsupported value: %v", n.Float)
		}
	}
	dst = strconv.AppendInt(append(dst, `,"span":[`...), int64(n.Span.Offset), 10)
	dst = strconv.AppendInt(append(dst, ','), int64(n.Span.Length), 10)
	dst = append(dst, ']')
	if n.Derived {
		dst = append(dst, `,"derived":true`...)
	}
	if len(n.Hints) > 0 {
		dst = appendStrings(append(dst, `,"hints":`...), n.Hints)
	}
	if len(n.Alternatives) > 0 {
		dst = append(dst, `,"alternatives":[`...)
		for i, a := range n.Alternatives {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonw.AppendString(append(dst, `{"kind":`...), a.Kind.String(), html)
			if dst, ok = jsonw.AppendFloat(append(dst, `,"confidence":`...), a.Confidence); !ok {
				return dst, fmt.Errorf("decode: json: unsupported value: %v", a.Confidence)
			}
			if a.Reason != "" {
				dst = jsonw.AppendString(append(dst, `,"reason":`...), a.Reason, html)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	if n.Reason != "" {
		dst = jsonw.AppendString(append(dst, `,"reason":`...), n.Reason, html)
	}
	if n.Budget != "" {
		dst = jsonw.AppendString(append(dst, `,"budget":`...), n.Budget, html)
	}
	return append(dst, '}'), nil
}

// appendValue appends a leaf's value as JSON (a JSON number's literal as
// it is); ok is false for the kinds that have no value.
func appendValue(dst []byte, n *schemaless.Node) (_ []byte, ok bool) {
	switch n.Kind {
	case schemaless.KindVarint, schemaless.KindFixed32, schemaless.KindFixed64:
		return strconv.AppendUint(dst, n.Uint, 10), true
	case schemaless.KindBool:
		return strconv.AppendBool(dst, n.Uint != 0), true
	case schemaless.KindNumber:
		if json.Valid([]byte(n.Text)) {
			return append(dst, n.Text...), true
		}
	case schemaless.KindNull:
		return append(dst, "null"...), true
	case schemaless.KindBytes, schemaless.KindOpaque:
		return jsonw.AppendHexString(dst, n.Bytes), true
	case schemaless.KindMessage, schemaless.KindJSON, schemaless.KindXML, schemaless.KindGroup:
		return dst, false
	}
	return jsonw.AppendString(dst, n.Text, true), true // as json.Marshal escapes it
}

func appendStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsonw.AppendString(dst, s, true)
	}
	return append(dst, ']')
}

// appendRaw appends a raw JSON value as json.Marshal does: compacted, with
// '<', '>', '&', U+2028 and U+2029 escaped. Most values have none of
// those bytes, and are copied as they are.
func appendRaw(dst, v []byte) ([]byte, error) {
	if !bytes.ContainsAny(v, " \t\r\n<>&\xe2") {
		return append(dst, v...), nil
	}
	var c, h bytes.Buffer
	if err := json.Compact(&c, v); err != nil {
		return dst, fmt.Errorf("decode: json: %w", err)
	}
	json.HTMLEscape(&h, c.Bytes())
	return append(dst, h.Bytes()...), nil
}
