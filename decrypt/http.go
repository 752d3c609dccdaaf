package decrypt

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/business"
	"github.com/wxaudit/wxaudit/link"
	"github.com/wxaudit/wxaudit/payload"
)

// head handles an HTTP head. Shortlink heads only name the host; a plain
// HTTP request is an event of its own (doc/protocol.md §1: newgetdns carries the
// uin and client version in clear in its query string).
func (c *conn) head(h *half, hd *link.Head, frames []int64, t time.Time) {
	if hd.Request {
		c.host = hd.Host
	}
	if c.kind != link.KindHTTP {
		return
	}
	if !hd.Request {
		c.d.stats.HTTPResponses++
		return
	}
	c.d.stats.HTTPRequests++
	c.uri = hd.Target
	p := c.newPayload(h, frames, t)
	p.Link = payload.LinkHTTP
	p.URI, p.Host = hd.Target, hd.Host
	if i := strings.IndexByte(hd.Target, '?'); i >= 0 {
		p.URI = hd.Target[:i]
		q, _ := url.ParseQuery(hd.Target[i+1:])
		if v, err := strconv.ParseUint(q.Get("uin"), 10, 32); err == nil {
			p.Uin = uint32(v)
		}
		if v, err := strconv.ParseUint(q.Get("clientversion"), 10, 32); err == nil {
			p.ClientVersion = uint32(v)
		}
		p.Payload = []byte(hd.Target[i+1:])
	}
	if p.Payload == nil {
		p.Payload = []byte{}
	}
	c.d.order.submit(job{c: c, base: p, send: true})
}

// body handles a non-MMTLS HTTP body: the response to a plain HTTP request
// (newgetdns answers with deflate-compressed XML) becomes a payload.
func (c *conn) body(h *half, b []byte, frames []int64, t time.Time) {
	if c.kind != link.KindHTTP {
		return
	}
	p := c.newPayload(h, frames, t)
	p.Link = payload.LinkHTTP
	p.URI, p.Host = c.uri, c.host
	if i := strings.IndexByte(p.URI, '?'); i >= 0 {
		p.URI = p.URI[:i]
	}
	// Inflated on a worker like a business packet (order.go).
	c.d.order.submit(job{c: c, base: p, body: c.d.clone(b)})
}

// setBody makes body, inflated when it inflates, p's payload.
func setBody(p *payload.Payload, body, inflated []byte, ok bool) {
	if ok {
		p.Payload, p.Compressed = inflated, true
	} else {
		p.Payload = body
	}
}

// inflateBody inflates a zlib or raw deflate body under st's caps; it
// reports false for anything that does not inflate to at least one byte.
func inflateBody(st *business.AuthState, b []byte) ([]byte, bool) {
	out, err := st.InflateBody(b)
	if err != nil || len(out) == 0 {
		return nil, false
	}
	return out, true
}

// newPayload starts a payload with the provenance of one direction.
func (c *conn) newPayload(h *half, frames []int64, t time.Time) *payload.Payload {
	if c.names.Client == "" {
		c.names = payload.Conn{Client: c.info.ID.Client.String(), Server: c.info.ID.Server.String()}
	}
	names := c.names // each payload gets its own Conn; the strings are shared
	p := &payload.Payload{
		Frames:    frames,
		Conn:      &names,
		Direction: payload.DirRequest,
	}
	if !t.IsZero() {
		p.Time = t.UTC().Format(time.RFC3339Nano)
	}
	if h.dir != 0 {
		p.Direction = payload.DirResponse
	}
	return p
}
