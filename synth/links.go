// This file turns a round's calls into TCP conversations: one Longlink per
// round carrying its Longlink calls, one connection per Shortlink call
// (HTTP POST /mmtls/… with MMTLS records in the body), and one per plain
// HTTP request. See doc/protocol.md, sections 1 and 4.

package synth

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/business"
	"github.com/wxaudit/wxaudit/mmtls"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/taxonomy"
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
// resume with. A 1-RTT Shortlink that only fetches tickets opens the round,
// as the real client's first Shortlink does.
func (g *generator) buildConnections(s *script) error {
	if err := g.ticketConn(s); err != nil {
		return err
	}
	first := g.now
	for _, c := range s.calls {
		if c.link == linkLong {
			first = c.at.Add(-longlinkLead)
			break
		}
	}
	ll, err := g.handshake(mmtls.ModeECDHE, nil, first, true)
	if err != nil {
		return err
	}
	g.psk = nil
	for _, p := range ll.c.IssuedPSKs() {
		if p.Ticket.Type == 1 { // PSK_ACCESS tickets resume (doc/protocol.md §3)
			g.psk = &p
			break
		}
	}
	if g.psk == nil {
		return errors.New("synth: internal error: longlink issued no psk_access ticket")
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
		return g.longConn(s, ll, long)
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

// mmtlsHead is the HTTP head of a Shortlink request.
func (g *generator) mmtlsHead(host string, n int) string {
	return fmt.Sprintf("POST /mmtls/%08x HTTP/1.1\r\nAccept: */*\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Length: %d\r\nContent-Type: application/octet-stream\r\nHost: %s\r\nUpgrade: mmtls\r\nUser-Agent: MicroMessenger Client\r\n\r\n",
		g.r.Uint32(), n, host)
}

// mmtlsRespHead is the HTTP head of a Shortlink response.
func mmtlsRespHead(n int) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nAccept-Ranges: bytes\r\nCache-Control: no-cache, must-revalidate\r\nConnection: close\r\nContent-Length: %d\r\nContent-Type: application/octet-stream\r\n\r\n", n)
}

// ticketConn is a 1-RTT Shortlink that only fetches tickets: the request
// is the ClientHello, the response the server's flight (mmtls/endpoint.go).
// It carries no payload.
func (g *generator) ticketConn(s *script) error {
	at := g.now
	rtt := time.Duration(g.r.between(25, 180)) * time.Millisecond
	conv := g.newConversation(pick(g.r, g.shortSrv), 80, at, rtt)
	m, err := g.handshake(mmtls.ModeECDHE, nil, at, false)
	if err != nil {
		return err
	}
	reqAt := at.Add(rtt)
	conv.flights = []flight{
		{fromClient, append([]byte(g.mmtlsHead(hostShort, len(m.hello))), m.hello...), reqAt},
		{fromServer, append([]byte(mmtlsRespHead(len(m.flight))), m.flight...), reqAt.Add(rtt)},
	}
	g.seg.packets(conv)
	return nil
}

// shortConn is one 0-RTT Shortlink: POST /mmtls/<hex> with the request's
// four records (ClientHello, EncryptedExtensions, early data, alert), and
// the response's four (ServerHello, Finished, data, alert).
func (g *generator) shortConn(s *script, c *call) error {
	conv := g.newConversation(pick(g.r, g.shortSrv), 80, c.at, c.rtt)
	k := s.keys
	var hx hybridExchange
	req, err := g.seal(c, k, true, c.req.b, k.cookie, &hx)
	if err != nil {
		return err
	}
	env := business.AppendShortlinkRequest(nil, business.ShortlinkRequest{URI: c.uri, Host: c.host, Packet: req.wire})
	m, err := g.handshake(mmtls.ModeZeroRTT, g.psk, c.at, false)
	if err != nil {
		return err
	}
	data, rseq, err := m.clientSeal(env)
	if err != nil {
		return err
	}
	alert, err := m.c.Alert()
	if err != nil {
		return fmt.Errorf("synth: internal error: %w", err)
	}
	cl := append(append(m.hello, data...), alert...)

	resp, err := g.seal(c, k, false, c.resp, k.cookie, &hx)
	if err != nil {
		return err
	}
	if err := m.serverFlight(); err != nil {
		return err
	}
	rdata, sseq, err := m.serverSeal(resp.wire)
	if err != nil {
		return err
	}
	ralert, err := m.s.Alert()
	if err != nil {
		return fmt.Errorf("synth: internal error: %w", err)
	}
	if err := m.clientOpen(ralert); err != nil {
		return err
	}
	sv := append(append(m.flight, rdata...), ralert...)

	reqAt := c.at.Add(c.rtt)
	respAt := reqAt.Add(c.rtt)
	conv.flights = []flight{
		{fromClient, append([]byte(g.mmtlsHead(c.host, len(cl))), cl...), reqAt},
		{fromServer, append([]byte(mmtlsRespHead(len(sv))), sv...), respAt},
	}
	g.seg.packets(conv)

	for i, dir := range []string{payload.DirRequest, payload.DirResponse} {
		at, sd, seq := reqAt, req, rseq
		if i == 1 {
			at, sd, seq = respAt, resp, sseq
		}
		for _, part := range sd.parts {
			e := g.entry(c, conv, dir, at)
			e.Link, e.URI, e.Host, e.ReqType = payload.LinkShortlink, c.uri, c.host, c.reqType
			e.Uin, e.ClientVersion = g.id.Uin, g.id.ClientVersion
			e.Inner, e.Compressed, e.Part = sd.inner, sd.compressed, part.name
			e.RecordSeq = &seq
			e.Payload.Payload = part.plain
			if part.name != "" && part.name != "payload" {
				e.Planted = nil // the client random carries no personal data
			}
			g.addEntry(at, e)
		}
	}
	return nil
}

// longlinkLead is how long before its first call the Longlink connects.
const longlinkLead = 3 * time.Second

// longConn is the round's Longlink: the full handshake, then each call's
// request and response packet.
func (g *generator) longConn(s *script, m *mmConn, calls []*call) error {
	first := calls[0].at.Add(-longlinkLead)
	conv := g.newConversation(pick(g.r, g.longSrv), 8080, first, calls[0].rtt)
	half := conv.rtt / 2
	t := first.Add(conv.rtt)
	conv.flights = append(conv.flights,
		flight{fromClient, m.hello, t},
		flight{fromServer, m.flight, t.Add(half)},
		flight{fromClient, m.finished, t.Add(conv.rtt)})
	for i, cl := range calls {
		seq := uint32(i + 1)
		req, err := g.seal(cl, s.keys, true, cl.req.b, nil, nil)
		if err != nil {
			return err
		}
		resp, err := g.seal(cl, s.keys, false, cl.resp, nil, nil)
		if err != nil {
			return err
		}
		reqAt := cl.at
		if min := t.Add(conv.rtt + time.Millisecond); reqAt.Before(min) {
			reqAt = min
		}
		respAt := reqAt.Add(cl.rtt)
		t = respAt
		cmd := business.CmdID(cl.cmdID)
		cb, rseq, err := m.clientSeal(business.AppendLonglinkPacket(nil, business.LonglinkPacket{Version: business.LonglinkVersion, Cmd: cmd, Seq: seq, Body: req.wire}))
		if err != nil {
			return err
		}
		sb, sseq, err := m.serverSeal(business.AppendLonglinkPacket(nil, business.LonglinkPacket{Version: business.LonglinkVersion, Cmd: cmd + business.CmdResponseOffset, Seq: seq, Body: resp.wire}))
		if err != nil {
			return err
		}
		conv.flights = append(conv.flights, flight{fromClient, cb, reqAt}, flight{fromServer, sb, respAt})
		if cl.cmdID == cmdNoop {
			continue // heartbeats carry no payload
		}
		for j, dir := range []string{payload.DirRequest, payload.DirResponse} {
			at, sd, rs, cmd := reqAt, req, rseq, cl.cmdID
			if j == 1 {
				at, sd, rs, cmd = respAt, resp, sseq, cl.cmdID+cmdResponse
			}
			e := g.entry(cl, conv, dir, at)
			// decrypt names Longlink payloads by cmd id, without a URI.
			e.Link, e.ReqType = payload.LinkLonglink, cl.reqType
			e.Inner, e.Compressed = sd.inner, sd.compressed
			if sd.inner != taxonomy.InnerNone {
				e.Uin, e.ClientVersion = g.id.Uin, g.id.ClientVersion
			}
			e.CmdID, e.LonglinkSeq = cmd, seq
			e.RecordSeq = &rs
			e.Payload.Payload = sd.parts[0].plain
			g.addEntry(at, e)
		}
	}
	conv.end = s.now.Add(time.Second)
	g.seg.packets(conv)
	return nil
}
