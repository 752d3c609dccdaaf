package decrypt

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/mmtls"
	"github.com/wxaudit/wxaudit/payload"
)

// RecordEvent describes one MMTLS record once its fate is known: the
// dissection `wxaudit dump` prints. It carries no key material and no
// decrypted application data; handshake fields are public on the wire
// (hellos) or protocol metadata (message types).
type RecordEvent struct {
	Conn      payload.Conn `json:"conn"`
	Link      string       `json:"link"`
	Direction string       `json:"direction"`
	Seq       uint64       `json:"seq"`
	Type      string       `json:"type"`
	Length    int          `json:"length"` // body length, including the GCM tag when encrypted
	Frames    []int64      `json:"frames"`
	Time      string       `json:"time,omitempty"`
	// State is "plaintext", "decrypted" or "not decrypted".
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"` // why not decrypted
	// Message names the handshake message (plaintext or decrypted).
	Message string       `json:"message,omitempty"`
	Hello   *HelloFields `json:"hello,omitempty"`
}

// HelloFields are the dissected fields of a ClientHello or ServerHello
// (doc/protocol.md §3).
type HelloFields struct {
	CipherSuites []string `json:"cipher_suites"`
	Random       string   `json:"random"`
	Timestamp    string   `json:"timestamp,omitempty"` // ClientHello only
	PSKTickets   []Ticket `json:"psk_tickets,omitempty"`
	KeyShares    []int    `json:"key_shares,omitempty"` // point lengths
	Extensions   []string `json:"extensions"`
}

// Ticket is a PSK ticket offered in a ClientHello; the ticket bytes are
// summarised by length, they are opaque session state.
type Ticket struct {
	Type      uint8  `json:"type"`
	Lifetime  uint32 `json:"lifetime_s"`
	TicketLen int    `json:"ticket_len"`
}

const (
	statePlaintext = "plaintext"
	stateDecrypted = "decrypted"
	stateFailed    = "not decrypted"
)

// dissect fills the handshake fields of a record's event from its
// plaintext body (a hello on the wire, or a decrypted handshake record).
func dissect(ev *RecordEvent, body []byte) {
	t, err := mmtls.PeekHandshakeType(body)
	if err != nil {
		return
	}
	ev.Message = t.String()
	switch t {
	case mmtls.HandshakeTypeClientHello:
		ch, err := mmtls.ParseClientHello(body)
		if err != nil {
			return
		}
		h := &HelloFields{Random: hex.EncodeToString(ch.Random[:]), Timestamp: time.Unix(int64(ch.Timestamp), 0).UTC().Format(time.RFC3339)}
		for _, s := range ch.CipherSuites {
			h.CipherSuites = append(h.CipherSuites, s.String())
		}
		for _, e := range ch.Extensions {
			h.Extensions = append(h.Extensions, e.Type.String())
		}
		if psk, ok := ch.PreSharedKey(); ok {
			for _, tk := range psk.Tickets {
				h.PSKTickets = append(h.PSKTickets, Ticket{Type: tk.Type, Lifetime: tk.Lifetime, TicketLen: len(tk.Ticket)})
			}
		}
		if ks, ok := ch.KeyShare(); ok {
			for _, s := range ks.Shares {
				h.KeyShares = append(h.KeyShares, len(s.Point))
			}
		}
		ev.Hello = h
	case mmtls.HandshakeTypeServerHello:
		sh, err := mmtls.ParseServerHello(body)
		if err != nil {
			return
		}
		h := &HelloFields{CipherSuites: []string{sh.CipherSuite.String()}, Random: hex.EncodeToString(sh.Random[:])}
		for _, e := range sh.Extensions {
			h.Extensions = append(h.Extensions, e.Type.String())
		}
		if ks, ok := sh.KeyShare(); ok {
			h.KeyShares = []int{len(ks.Point)}
		}
		ev.Hello = h
	}
}

// trace reports a record's fate to Options.OnRecord.
func (h *half) trace(r *record, state, reason string, body []byte) {
	fn := h.c.d.opts.OnRecord
	if fn == nil {
		return
	}
	ev := RecordEvent{
		Conn:      payload.Conn{Client: h.c.info.ID.Client.String(), Server: h.c.info.ID.Server.String()},
		Link:      h.c.kind.String(),
		Direction: "request",
		Seq:       r.seq,
		Type:      recordTypeName(r.typ),
		Length:    r.length,
		Frames:    r.frames,
		State:     state,
		Reason:    reason,
	}
	if h.dir != 0 {
		ev.Direction = "response"
	}
	if !r.time.IsZero() {
		ev.Time = r.time.UTC().Format(time.RFC3339Nano)
	}
	if body != nil && (r.typ == mmtls.RecordTypeHandshake || r.typ == mmtls.RecordTypeEarlyHandshake) {
		dissect(&ev, body)
	}
	fn(ev)
}

// String is the record as one line of `wxaudit dump`: time, link, endpoints,
// direction, sequence number, type, length, whether it decrypted (and why
// not), and the handshake fields.
func (ev RecordEvent) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %-9s %s > %s %-8s seq=%-3d %-22s len=%-5d %s", ev.Time, ev.Link, ev.Conn.Client, ev.Conn.Server, ev.Direction, ev.Seq, ev.Type, ev.Length, ev.State)
	if ev.Reason != "" {
		fmt.Fprintf(&b, " (%s)", ev.Reason)
	}
	if ev.Message != "" {
		fmt.Fprintf(&b, " %s", ev.Message)
	}
	if h := ev.Hello; h != nil {
		fmt.Fprintf(&b, " suites=%s random=%s…", strings.Join(h.CipherSuites, ","), h.Random[:min(16, len(h.Random))])
		if h.Timestamp != "" {
			fmt.Fprintf(&b, " time=%s", h.Timestamp)
		}
		if len(h.PSKTickets) > 0 {
			fmt.Fprintf(&b, " psk_tickets=%d", len(h.PSKTickets))
		}
		if len(h.KeyShares) > 0 {
			fmt.Fprintf(&b, " key_shares=%d", len(h.KeyShares))
		}
	}
	return b.String()
}
