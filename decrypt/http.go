package decrypt

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wxaudit/wxaudit/link"
	"github.com/wxaudit/wxaudit/payload"
)

// head handles an HTTP head. Shortlink heads only name the host; a plain
// HTTP request is an event of its own (PROTOCOL.md §1: newgetdns carries the
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
	c.d.send(p)
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
	if out, ok := inflateAny(b, c.d.opts.maxInflated()); ok {
		p.Payload, p.Compressed = out, true
	} else {
		p.Payload = append([]byte{}, b...)
	}
	c.d.send(p)
}

// inflateAny inflates a zlib or raw deflate body, bounded by max.
func inflateAny(b []byte, max int64) ([]byte, bool) {
	inf := httpInflaters.Get().(*httpInflater)
	defer httpInflaters.Put(inf)
	defer inf.br.Reset(nil) // the pool must not keep b reachable
	r, ok := inf.reader(b)
	if !ok {
		return nil, false
	}
	if max < 0 {
		return nil, false
	}
	if inf.buf == nil {
		inf.buf = make([]byte, 0, 32<<10)
	}
	out, err := readAtMost(r, inf.buf[:0], max)
	if cap(out) <= maxPooledScratch {
		inf.buf = out[:0]
	} else {
		inf.buf = nil // do not pool the memory of one huge body
	}
	if err != nil || int64(len(out)) > max || len(out) == 0 {
		return nil, false
	}
	return append(make([]byte, 0, len(out)), out...), true
}

// maxPooledScratch bounds the scratch output an httpInflater keeps.
const maxPooledScratch = 1 << 20

// httpInflater keeps a zlib and a raw deflate reader across bodies:
// creating them allocates a 32 KiB window and Huffman tables each time,
// more than a newgetdns body's inflation costs. Their state has a fixed
// size, and the scratch output is bounded, so the pool retains nothing
// that grows with the input. Inflating into scratch and copying out once
// allocates exactly the output.
type httpInflater struct {
	br  bytes.Reader
	zr  io.ReadCloser // zlib, created on the first valid zlib header
	fr  io.ReadCloser // raw deflate
	buf []byte        // scratch output
}

var httpInflaters = sync.Pool{New: func() any { return new(httpInflater) }}

// reader returns a reader of b's zlib stream, or of b as raw deflate when
// b has no zlib header, as zlib.NewReader then flate.NewReader would.
func (inf *httpInflater) reader(b []byte) (io.Reader, bool) {
	inf.br.Reset(b)
	var err error
	if inf.zr == nil {
		var zr io.ReadCloser
		if zr, err = zlib.NewReader(&inf.br); err == nil {
			inf.zr = zr
		}
	} else {
		err = inf.zr.(zlib.Resetter).Reset(&inf.br, nil)
	}
	if err == nil {
		return inf.zr, true
	}
	inf.br.Reset(b)
	if inf.fr == nil {
		inf.fr = flate.NewReader(&inf.br)
	} else if err := inf.fr.(flate.Resetter).Reset(&inf.br, nil); err != nil {
		return nil, false
	}
	return inf.fr, true
}

// readAtMost appends r's bytes to out until EOF or until one byte past
// max, as io.ReadAll(io.LimitReader(r, max+1)) would. max must not be
// negative.
func readAtMost(r io.Reader, out []byte, max int64) ([]byte, error) {
	limit := max + 1
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		room := out[len(out):cap(out)]
		if rest := limit - int64(len(out)); int64(len(room)) > rest {
			room = room[:rest]
		}
		n, err := r.Read(room)
		out = out[:len(out)+n]
		if err == io.EOF || int64(len(out)) == limit {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// newPayload starts a payload with the provenance of one direction.
func (c *conn) newPayload(h *half, frames []int64, t time.Time) *payload.Payload {
	p := &payload.Payload{
		Frames:    frames,
		Conn:      &payload.Conn{Client: c.info.ID.Client.String(), Server: c.info.ID.Server.String()},
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
