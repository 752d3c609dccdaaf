// This file writes a Payload as JSON without reflection.

package payload

import (
	"strconv"

	"github.com/wxaudit/wxaudit/internal/jsonw"
)

// AppendJSON appends p as one JSON object, byte-for-byte what encoding/json
// writes for it (json.Marshal with escapeHTML, or an Encoder with
// SetEscapeHTML(false) without the newline). It is the fast path of
// `wxaudit decrypt`, whose output is mostly hex payload.
func (p *Payload) AppendJSON(dst []byte, escapeHTML bool) []byte {
	str := func(dst []byte, name, v string) []byte {
		if v == "" {
			return dst
		}
		return jsonw.AppendString(key(dst, name), v, escapeHTML)
	}
	num := func(dst []byte, name string, v uint64) []byte {
		if v == 0 {
			return dst
		}
		return strconv.AppendUint(key(dst, name), v, 10)
	}
	dst = append(dst, '{')
	dst = str(dst, `"capture":`, p.Capture)
	dst = str(dst, `"source":`, p.Source)
	if p.Line != 0 {
		dst = strconv.AppendInt(key(dst, `"line":`), int64(p.Line), 10)
	}
	if len(p.Frames) > 0 {
		dst = key(dst, `"frames":[`)
		for i, f := range p.Frames {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, f, 10)
		}
		dst = append(dst, ']')
	}
	dst = str(dst, `"time":`, p.Time)
	if p.Conn != nil {
		dst = jsonw.AppendString(key(dst, `"conn":{"client":`), p.Conn.Client, escapeHTML)
		dst = jsonw.AppendString(key(dst, `"server":`), p.Conn.Server, escapeHTML)
		dst = append(dst, '}')
	}
	dst = jsonw.AppendString(key(dst, `"link":`), p.Link, escapeHTML)
	dst = jsonw.AppendString(key(dst, `"direction":`), p.Direction, escapeHTML)
	if p.RecordSeq != nil {
		dst = strconv.AppendUint(key(dst, `"record_seq":`), *p.RecordSeq, 10)
	}
	dst = str(dst, `"uri":`, p.URI)
	dst = str(dst, `"host":`, p.Host)
	if p.ReqType != 0 {
		dst = strconv.AppendInt(key(dst, `"req_type":`), int64(p.ReqType), 10)
	}
	dst = num(dst, `"uin":`, uint64(p.Uin))
	dst = num(dst, `"client_version":`, uint64(p.ClientVersion))
	dst = num(dst, `"cmd_id":`, uint64(p.CmdID))
	dst = num(dst, `"longlink_seq":`, uint64(p.LonglinkSeq))
	dst = str(dst, `"inner":`, p.Inner)
	if p.Compressed {
		dst = key(dst, `"compressed":true`)
	}
	dst = str(dst, `"part":`, p.Part)
	if p.SignatureOK != nil {
		dst = jsonw.AppendBool(key(dst, `"signature_ok":`), *p.SignatureOK)
	}
	dst = jsonw.AppendHexString(key(dst, `"payload":`), p.Payload)
	return append(dst, '}')
}

// key appends a member name, after a comma unless it is the object's first.
func key(dst []byte, name string) []byte {
	if dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	return append(dst, name...)
}
