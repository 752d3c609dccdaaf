package decrypt

import (
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"time"

	"github.com/wxaudit/wxaudit/business"
	"github.com/wxaudit/wxaudit/link"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// bizState is the business-layer state of a whole run: keys learned from
// the auth response apply to every later connection (doc/protocol.md §5).
type bizState struct {
	st business.AuthState
}

func (b *bizState) init(d *decrypter) {
	b.st.MaxInflate = d.opts.maxInflated()
	b.st.MaxInflateTotal = d.opts.MaxInflatedTotal
}

// appData takes one decrypted application-data record.
func (c *conn) appData(h *half, r *record) {
	if h.appRecs == 0 {
		h.appSeq = r.seq
	}
	h.appRecs++
	h.appFrames = mergeFrames(h.appFrames, r.frames)
	h.appTime = r.time
	switch c.kind {
	case link.KindLonglink:
		c.longlinkData(h, r.plain)
	default:
		if h.overflow || len(h.app)+len(r.plain) > maxShortlinkMessage {
			// A body that never ends is counted once and dropped, not
			// buffered whole.
			if !h.overflow {
				c.d.stats.PayloadsNotDecrypted[ReasonMessageTooLarge]++
			}
			h.overflow = true
			h.app, h.appFrames, h.appRecs = nil, nil, 0
			return
		}
		h.app = c.d.appendBytes(h.app, r.plain)
		if h.dir == 0 {
			// A Shortlink request envelope says its own length: open it as
			// soon as it is whole.
			if shortlinkWhole(h.app) {
				c.endOfMessage(h)
			}
		}
	}
}

// maxShortlinkMessage bounds one Shortlink message collected from its
// records: the same bound as a Longlink packet.
const maxShortlinkMessage = business.MaxLonglinkPacket

// ReasonMessageTooLarge counts Shortlink messages dropped for passing
// maxShortlinkMessage.
const ReasonMessageTooLarge = "message over 16 MiB"

// shortlinkWhole reports whether b is a whole Shortlink request envelope.
// The envelope's total length (doc/protocol.md §1) is checked first, so the
// records before the last do not each build a parse error.
func shortlinkWhole(b []byte) bool {
	if len(b) < 4 || uint64(binary.BigEndian.Uint32(b)) != uint64(len(b)-4) {
		return false
	}
	_, err := business.ParseShortlinkRequest(b)
	return err == nil
}

// lostAppData notes an application-data record that could not be opened:
// the message it belonged to cannot be complete.
func (c *conn) lostAppData(h *half) {
	h.lost = true
	if c.kind == link.KindLonglink {
		// Packet boundaries are lost with the record: start afresh.
		if h.ll.Buffered() > 0 {
			c.d.stats.PayloadsNotDecrypted[taxonomy.ReasonNoKey]++
		}
		h.ll = business.LonglinkReader{}
		h.app, h.appFrames, h.appRecs = nil, nil, 0
	}
}

// endOfMessage ends a Shortlink message (an alert record, the end of the
// connection, or a whole request envelope) and opens what it carried.
func (c *conn) endOfMessage(h *half) {
	if c.kind == link.KindLonglink {
		return
	}
	lost := h.lost
	data, frames, t, seq := h.app, h.appFrames, h.appTime, h.appSeq
	h.app, h.appFrames, h.appRecs, h.lost = nil, nil, 0, false
	if h.overflow {
		h.overflow = false
		return
	}
	if len(data) == 0 {
		if lost {
			c.d.stats.PayloadsNotDecrypted[taxonomy.ReasonNoKey]++
		}
		return
	}
	if h.dir != 0 && !c.requestSeen && !c.closing {
		// The response came first in capture order (reordered segments):
		// hold it until the request names it.
		c.heldResponse = &heldMessage{data: data, frames: frames, t: t, seq: seq}
		return
	}
	c.openShortlink(h, data, frames, t, seq)
}

// heldMessage is a Shortlink response waiting for its request.
type heldMessage struct {
	data   []byte
	frames []int64
	t      time.Time
	seq    uint64
}

func (c *conn) openShortlink(h *half, data []byte, frames []int64, t time.Time, seq uint64) {
	p := c.newPayload(h, frames, t)
	p.Link = payload.LinkShortlink
	p.RecordSeq = &seq
	p.Host = c.host
	buf := data // the message's buffer, released once the packet is committed
	if h.dir == 0 {
		c.requestSeen = true
		req, err := business.ParseShortlinkRequest(data)
		if err != nil {
			c.d.stats.PayloadsNotDecrypted[taxonomy.ReasonBadEnvelope]++
			return
		}
		c.uri, c.host = req.URI, req.Host
		p.URI, p.Host = req.URI, req.Host
		data = req.Packet
	} else {
		p.URI = c.uri
	}
	c.openBusiness(p, data, buf, func(o business.Packet) {
		if h.dir == 0 {
			c.reqType = int(o.Header.ReqType)
		}
	})
	if h.dir == 0 && c.heldResponse != nil {
		m := c.heldResponse
		c.heldResponse = nil
		c.openShortlink(c.half[1], m.data, m.frames, m.t, m.seq)
	}
}

// longlinkData feeds one record plaintext to the Longlink packet reader
// and opens every whole packet.
func (c *conn) longlinkData(h *half, plain []byte) {
	if _, err := h.ll.Write(plain); err != nil {
		c.d.stats.PayloadsNotDecrypted[taxonomy.ReasonTruncated]++
		h.ll = business.LonglinkReader{}
		h.appFrames, h.appRecs = nil, 0
		return
	}
	for {
		pkt, err := h.ll.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			c.d.stats.PayloadsNotDecrypted[taxonomy.ReasonBadEnvelope]++
			h.ll = business.LonglinkReader{}
			break
		}
		c.longlinkPacket(h, pkt)
	}
	if h.ll.Buffered() == 0 {
		h.appFrames, h.appRecs = nil, 0
	}
}

func (c *conn) longlinkPacket(h *half, pkt business.LonglinkPacket) {
	if pkt.Cmd.Request() == business.CmdNoop || len(pkt.Body) == 0 {
		c.d.stats.Heartbeats++
		return
	}
	seq := h.appSeq
	p := c.newPayload(h, slices.Clone(h.appFrames), h.appTime)
	p.Link = payload.LinkLonglink
	p.RecordSeq = &seq
	p.CmdID = uint32(pkt.Cmd)
	p.LonglinkSeq = pkt.Seq
	if pkt.Cmd.Plain() {
		c.d.order.submit(job{c: c, base: p, ready: &business.Packet{Parts: []business.Plaintext{{Plaintext: c.d.clone(pkt.Body), Inner: taxonomy.InnerNone}}}})
		return
	}
	body := c.d.clone(pkt.Body)
	c.openBusiness(p, body, body, nil)
}

// openBusiness opens one business packet and emits a payload per part,
// in order with the connection's other payloads (order.go). pkt, and buf
// (the array holding it), must not be reused by the caller: buf is
// released once the packet is committed.
func (c *conn) openBusiness(p *payload.Payload, pkt, buf []byte, then func(business.Packet)) {
	c.d.order.submit(job{c: c, base: p, pkt: pkt, buf: buf, then: then})
}

func (c *conn) emitParts(base *payload.Payload, o business.Packet) {
	st := c.d.stats
	hd := o.Header
	if hd.Algo != 0 {
		base.ReqType = int(hd.ReqType)
		base.Uin = hd.Uin
		base.ClientVersion = hd.ClientVersion
	}
	if base.ReqType == 0 && base.Direction == payload.DirResponse && c.reqType != 0 {
		base.ReqType = c.reqType
	}
	base.SignatureOK = o.SignatureOK
	if o.SignatureOK != nil {
		if *o.SignatureOK {
			st.SignaturesOK++
		} else {
			st.SignaturesBad++
		}
	}
	for i, part := range o.Parts {
		p := base // the last part (usually the only one) takes base itself
		if i < len(o.Parts)-1 {
			cp := *base
			p = &cp
		}
		p.Part = part.Name
		p.Inner = part.Inner
		p.Compressed = part.Compressed
		p.Payload = part.Plaintext
		if p.Payload == nil {
			p.Payload = []byte{}
		}
		st.Payloads++
		st.PayloadsByInner[part.Inner]++
		if part.Compressed {
			st.PayloadsCompressed++
		}
		c.d.send(p)
		c.d.release(p.Payload)
	}
}

// flushBusiness ends what is left at the end of the connection.
func (c *conn) flushBusiness() {
	c.closing = true
	defer func() {
		if m := c.heldResponse; m != nil {
			c.heldResponse = nil
			c.openShortlink(c.half[1], m.data, m.frames, m.t, m.seq)
		}
	}()
	for _, h := range c.half {
		if h == nil {
			continue
		}
		switch c.kind {
		case link.KindLonglink:
			if h.ll.Buffered() > 0 {
				c.d.stats.PayloadsNotDecrypted[taxonomy.ReasonTruncated]++
			}
		default:
			c.endOfMessage(h)
		}
	}
}

// mergeFrames appends the frames of b not already at the end of a.
func mergeFrames(a, b []int64) []int64 {
	for _, f := range b {
		if len(a) == 0 || a[len(a)-1] < f {
			a = append(a, f)
		} else if !slices.Contains(a, f) {
			a = append(a, f)
			slices.Sort(a)
		}
	}
	return a
}
