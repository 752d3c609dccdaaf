// This file writes Records as JSON without reflection.

package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/wxaudit/wxaudit/internal/jsonw"
)

// AppendJSON appends r as one JSON object, byte-for-byte what json.Marshal
// writes for it. Field values must be valid JSON, as flatten makes them.
// The only error is a NaN or infinite float, which json.Marshal refuses.
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
	if len(r.Fields) > 0 {
		dst = append(dst, `,"fields":[`...)
		for i := range r.Fields {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = r.Fields[i].appendJSON(dst); err != nil {
				return dst, err
			}
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}

func (f *Field) appendJSON(dst []byte) ([]byte, error) {
	const html = true
	dst = jsonw.AppendString(append(dst, `{"path":`...), f.Path, html)
	if f.Index != 0 {
		dst = strconv.AppendInt(append(dst, `,"index":`...), int64(f.Index), 10)
	}
	dst = strconv.AppendInt(append(dst, `,"depth":`...), int64(f.Depth), 10)
	if f.Name != "" {
		dst = jsonw.AppendString(append(dst, `,"name":`...), f.Name, html)
	}
	if f.Wire != "" {
		dst = jsonw.AppendString(append(dst, `,"wire":`...), f.Wire, html)
	}
	dst = jsonw.AppendString(append(dst, `,"kind":`...), f.Kind.String(), html)
	if len(f.Chain) > 0 {
		dst = append(dst, `,"chain":[`...)
		for i, k := range f.Chain {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonw.AppendString(dst, k.String(), html)
		}
		dst = append(dst, ']')
	}
	var ok bool
	if dst, ok = jsonw.AppendFloat(append(dst, `,"confidence":`...), f.Confidence); !ok {
		return dst, fmt.Errorf("decode: json: unsupported value: %v", f.Confidence)
	}
	if len(f.Value) > 0 {
		var err error
		if dst, err = appendRaw(append(dst, `,"value":`...), f.Value); err != nil {
			return dst, err
		}
	}
	if f.Float != nil {
		if dst, ok = jsonw.AppendFloat(append(dst, `,"float":`...), *f.Float); !ok {
			return dst, fmt.Errorf("decode: json: unsupported value: %v", *f.Float)
		}
	}
	dst = strconv.AppendInt(append(dst, `,"span":[`...), int64(f.Span[0]), 10)
	dst = strconv.AppendInt(append(dst, ','), int64(f.Span[1]), 10)
	dst = append(dst, ']')
	if f.Derived {
		dst = append(dst, `,"derived":true`...)
	}
	if len(f.Hints) > 0 {
		dst = appendStrings(append(dst, `,"hints":`...), f.Hints)
	}
	if len(f.Alternatives) > 0 {
		dst = append(dst, `,"alternatives":[`...)
		for i, a := range f.Alternatives {
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
	if f.Reason != "" {
		dst = jsonw.AppendString(append(dst, `,"reason":`...), f.Reason, html)
	}
	if f.Budget != "" {
		dst = jsonw.AppendString(append(dst, `,"budget":`...), f.Budget, html)
	}
	return append(dst, '}'), nil
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
// '<', '>', '&', U+2028 and U+2029 escaped. Values flatten writes have none
// of those bytes outside the escaped strings, so they are copied as they
// are.
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
