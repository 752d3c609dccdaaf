// This file turns a round's calls into TCP conversations: one Longlink per
// round carrying its Longlink calls, one connection per Shortlink call
// (HTTP POST /mmtls/… with MMTLS records in the body), and one per plain
// HTTP request. See PROTOCOL.md, sections 1 and 4.

package synth

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/payload"
)

// pendingEntry is a manifest entry with its sort key.
type pendingEntry struct {
	at time.Time
	e  Entry
}

// entry starts a manifest entry of the round.
func (g *generator) entry(c *call, conv *conversation, dir string, at time.Time) Entry {
	e := Entry{Step: c.step, Round: g.roundN}
	e.Conn = &payload.Conn{Client: conv.client.String(), Server: conv.server.String()}
	e.Direction = dir
	e.Time = at.UTC().Format(time.RFC3339Nano)
	if dir == payload.DirRequest {
		e.Planted = append([]Planted(nil), c.req.planted...)
	}
	return e
}

func (g *generator) addEntry(at time.Time, e Entry) {
	g.entries = append(g.entries, pendingEntry{at, e})
}

// buildConnections emits the conversations of s's calls. The round's
// Longlink handshake comes first: it issues the PSK the 0-RTT Shortlinks
// resume with.
func (g *generator) buildConnections(s *script) error {
	ll, err := newLonglink(g.r, g.fw, unix32(g.now))
	if err != nil {
		return fmt.Errorf("synth: internal error: %w", err)
	}
	ll.rttOffset = 3 * time.Second
	s.ll = ll
	if err := g.kw.Secret(ll.random, ll.secret); err != nil {
		return fmt.Errorf("synth: writing secrets key log: %w", err)
	}
	var long []*call
	for i := range s.calls {
		c := &s.calls[i]
		switch c.link {
		case linkHTTP:
			err = g.httpConn(c)
		case linkShort:
			err = g.shortConn(s, c)
		case linkLong:
			long = append(long, c)
		}
		if err != nil {
			return err
		}
	}
	if len(long) > 0 {
		return g.longConn(s, long)
	}
	return nil
}

func (g *generator) newConversation(server netip.Addr, port uint16, at time.Time, rtt time.Duration) *conversation {
	g.res.Connections++
	return &conversation{
		client: netip.AddrPortFrom(g.client, g.port()),
		server: netip.AddrPortFrom(server, port),
		start:  at,
		rtt:    rtt,
	}
}

// httpConn is a plain-HTTP GET (newgetdns) and its deflated XML answer.
func (g *generator) httpConn(c *call) error {
	conv := g.newConversation(pick(g.r, g.dnsSrv), 80, c.at, c.rtt)
	target := string(c.req.b)
	req := "GET " + target + " HTTP/1.1\r\nHost: " + c.host + "\r\nAccept: */*\r\nUser-Agent: MicroMessenger Client\r\nConnection: close\r\n\r\n"
	resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(c.resp))
	reqAt := c.at.Add(c.rtt)
	respAt := reqAt.Add(c.rtt)
	conv.flights = []flight{{fromClient, []byte(req), reqAt}, {fromServer, append([]byte(resp), c.resp...), respAt}}
	g.seg.packets(conv)

	path, query, _ := strings.Cut(target, "?")
	e := g.entry(c, conv, payload.DirRequest, reqAt)
	e.Link, e.URI, e.Host = payload.LinkHTTP, path, c.host
	e.Uin, e.ClientVersion = g.id.Uin, g.id.ClientVersion
	e.Payload.Payload = []byte(query)
	// Field paths of a query are relative to the query string.
	g.addEntry(reqAt, e)

	plain, err := io.ReadAll(flate.NewReader(bytes.NewReader(c.resp)))
	if err != nil {
		return fmt.Errorf("synth: internal error: newgetdns body: %w", err)
	}
	r := g.entry(c, conv, payload.DirResponse, respAt)
	r.Link, r.URI, r.Host = payload.LinkHTTP, path, c.host
	r.Compressed = true
	r.Payload.Payload = plain
	g.addEntry(respAt, r)
	return nil
}

// sealed is a business packet and what decrypt reports for it.
type sealed struct {
	wire       []byte
	inner      string
	compressed bool
}

// seal builds the business packet of plain for call c: WeChat header and
// inner encryption, logging the inner key the Frida hooks would log.
func (g *generator) seal(c *call, s *script, plain []byte, cookie []byte) (sealed, error) {
	uin, cv := g.id.Uin, g.id.ClientVersion
	switch c.algo {
	case algoCBC:
		body := plain
		if c.compress {
			body = deflate(plain)
		}
		ct := cbcSeal(s.sessionKey, body)
		sig := signature(plain, uin, s.sessionKey)
		h := wechatHeader(algoCBC, c.compress, cv, uin, cookie, c.reqType, len(plain), len(body), sig)
		var key [16]byte
		copy(key[:], s.sessionKey)
		var tail [8]byte
		copy(tail[:], ct[len(ct)-8:])
		if err := g.fw.CBC(true, key, tail); err != nil {
			return sealed{}, fmt.Errorf("synth: writing frida key log: %w", err)
		}
		return sealed{append(h, ct...), payload.InnerAESCBC, c.compress}, nil
	case algoGCM, algoHybrid:
		// The hybrid-ECDH envelope of algo 12 is not emulated: auth is
		// sealed like algo 13 with the round's GCM key.
		body := deflate(plain)
		iv := g.r.bytes(12)
		out, tag := gcmSeal(s.gcmKey, iv, body)
		sig := signature(plain, uin, s.sessionKey)
		h := wechatHeader(algoGCM, true, cv, uin, cookie, c.reqType, len(plain), len(body), sig)
		var key [24]byte
		copy(key[:], s.gcmKey)
		var ivA [12]byte
		copy(ivA[:], iv)
		var tagA [16]byte
		copy(tagA[:], tag)
		if err := g.fw.GCM(true, key, ivA, tagA, nil, [8]byte{}); err != nil {
			return sealed{}, fmt.Errorf("synth: writing frida key log: %w", err)
		}
		return sealed{append(h, out...), payload.InnerAESGCM, true}, nil
	}
	return sealed{plain, payload.InnerNone, false}, nil
}

func unix32(t time.Time) uint32 { return uint32(t.Unix()) }

// shortConn is one 0-RTT Shortlink: POST /mmtls/<hex> with the request's
// four records, and the response's four records.
func (g *generator) shortConn(s *script, c *call) error {
	conv := g.newConversation(pick(g.r, g.shortSrv), 80, c.at, c.rtt)
	cookie := s.cookie
	req, err := g.seal(c, s, c.req.b, cookie)
	if err != nil {
		return err
	}
	env := shortlinkEnvelope(c.uri, c.host, req.wire)
	resp, err := g.seal(c, s, c.resp, cookie)
	if err != nil {
		return err
	}
	cl, sv, random, err := shortlink0RTT(g.r, g.fw, s.ll.pskAccess, s.ll.ticket, unix32(c.at), env, resp.wire)
	if err != nil {
		return err
	}
	var psk [32]byte
	copy(psk[:], s.ll.pskAccess)
	if err := g.kw.PSKAccess(random, psk); err != nil {
		return fmt.Errorf("synth: writing secrets key log: %w", err)
	}
	head := fmt.Sprintf("POST /mmtls/%08x HTTP/1.1\r\nAccept: */*\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Length: %d\r\nContent-Type: application/octet-stream\r\nHost: %s\r\nUpgrade: mmtls\r\nUser-Agent: MicroMessenger Client\r\n\r\n",
		g.r.Uint32(), len(cl), c.host)
	rhead := fmt.Sprintf("HTTP/1.1 200 OK\r\nAccept-Ranges: bytes\r\nCache-Control: no-cache, must-revalidate\r\nConnection: close\r\nContent-Length: %d\r\nContent-Type: application/octet-stream\r\n\r\n", len(sv))
	reqAt := c.at.Add(c.rtt)
	respAt := reqAt.Add(c.rtt)
	conv.flights = []flight{{fromClient, append([]byte(head), cl...), reqAt}, {fromServer, append([]byte(rhead), sv...), respAt}}
	g.seg.packets(conv)

	for i, dir := range []string{payload.DirRequest, payload.DirResponse} {
		at, sd, plain := reqAt, req, c.req.b
		if i == 1 {
			at, sd, plain = respAt, resp, c.resp
		}
		e := g.entry(c, conv, dir, at)
		e.Link, e.URI, e.Host, e.ReqType = payload.LinkShortlink, c.uri, c.host, c.reqType
		e.Uin, e.ClientVersion = g.id.Uin, g.id.ClientVersion
		e.Inner, e.Compressed = sd.inner, sd.compressed
		seq := uint64(2) // the early-data / response data record
		e.RecordSeq = &seq
		e.Payload.Payload = plain
		g.addEntry(at, e)
	}
	return nil
}

// longConn is the round's Longlink: the full handshake, then each call's
// request and response packet.
func (g *generator) longConn(s *script, calls []*call) error {
	hs := s.ll
	first := calls[0].at.Add(-hs.rttOffset)
	conv := g.newConversation(pick(g.r, g.longSrv), 8080, first, calls[0].rtt)
	half := conv.rtt / 2
	t := first.Add(conv.rtt)
	conv.flights = append(conv.flights,
		flight{fromClient, hs.clientHello, t},
		flight{fromServer, hs.serverFlight, t.Add(half)},
		flight{fromClient, hs.clientFinished, t.Add(conv.rtt)})
	c := hs.conn
	for i, cl := range calls {
		seq := uint32(i + 1)
		req, err := g.seal(cl, s, cl.req.b, nil)
		if err != nil {
			return err
		}
		resp, err := g.seal(cl, s, cl.resp, nil)
		if err != nil {
			return err
		}
		reqAt := cl.at
		if min := t.Add(conv.rtt + time.Millisecond); reqAt.Before(min) {
			reqAt = min
		}
		respAt := reqAt.Add(cl.rtt)
		t = respAt
		rseq, sseq := c.client.seq, c.server.seq
		cb := c.sealData(&c.client, nil, longlinkPacket(cl.cmdID, seq, req.wire))
		sb := c.sealData(&c.server, nil, longlinkPacket(cl.cmdID+cmdResponse, seq, resp.wire))
		conv.flights = append(conv.flights, flight{fromClient, cb, reqAt}, flight{fromServer, sb, respAt})
		if c.err != nil {
			return fmt.Errorf("synth: writing frida key log: %w", c.err)
		}
		if cl.cmdID == cmdNoop {
			continue // heartbeats carry no payload
		}
		for j, dir := range []string{payload.DirRequest, payload.DirResponse} {
			at, sd, plain, rs, cmd := reqAt, req, cl.req.b, rseq, cl.cmdID
			if j == 1 {
				at, sd, plain, rs, cmd = respAt, resp, cl.resp, sseq, cl.cmdID+cmdResponse
			}
			e := g.entry(cl, conv, dir, at)
			e.Link, e.URI, e.ReqType = payload.LinkLonglink, cl.uri, cl.reqType
			e.Inner, e.Compressed = sd.inner, sd.compressed
			if sd.inner != payload.InnerNone {
				e.Uin, e.ClientVersion = g.id.Uin, g.id.ClientVersion
			}
			e.CmdID, e.LonglinkSeq = cmd, seq
			e.RecordSeq = &rs
			e.Payload.Payload = plain
			g.addEntry(at, e)
		}
	}
	conv.end = s.now.Add(time.Second)
	g.seg.packets(conv)
	return nil
}
