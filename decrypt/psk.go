// This file opens 0-RTT connections with the ticket and secret of WeChat's
// stored psk.key (keylog.ParsePSKFile), without hooks: the secret is
// remembered as the PSK of its ticket, so a ClientHello presenting the
// ticket derives its early-data key from it (mmtls.Session). What happened
// is counted in Stats.PSK.

package decrypt

import (
	"bytes"
	"errors"
	"strings"

	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/mmtls"
)

// PSKStats says what the psk.key tickets did.
type PSKStats struct {
	Tickets []PSKTicket `json:"tickets"`
	// PSKHellos counts ClientHellos presenting any ticket.
	PSKHellos int `json:"clienthellos_presenting_a_ticket"`
	// Presenting counts connections whose ClientHello presented a psk.key
	// ticket.
	Presenting int `json:"connections_presenting"`
	// RecordsOpened counts the encrypted records of those connections
	// that opened; AttemptsFailed the attempts that did not (a record
	// waiting for a key is tried again when one may have arrived).
	RecordsOpened  int `json:"records_opened"`
	AttemptsFailed int `json:"record_attempts_failed"`
}

// PSKTicket describes a psk.key ticket without its secret.
type PSKTicket struct {
	Type     uint8  `json:"type"`
	Lifetime uint32 `json:"lifetime_s"`
	Saved    string `json:"saved,omitempty"`
	// Ticket is the first 8 bytes of the opaque ticket, hex, to name it.
	Ticket string `json:"ticket_prefix"`
}

type pskState struct {
	tickets [][]byte
	stats   PSKStats
}

// setupPSK seeds the ticket cache with the psk.key tickets (before any
// connection is opened).
func (d *decrypter) setupPSK(psks []keylog.StoredPSK) {
	if len(psks) == 0 {
		return
	}
	if d.keys == nil {
		d.keys, _ = keylog.Parse(strings.NewReader("")) // an empty log: lookups find nothing
		ks := d.keys.Stats()
		d.stats.Keylog = &ks
	}
	if d.tickets == nil {
		d.tickets = mmtls.NewTicketCache(0)
	}
	d.hasSecrets = true
	d.psk = &pskState{}
	for _, p := range psks {
		d.tickets.Add(p.Ticket.Ticket, p.Secret)
		d.psk.tickets = append(d.psk.tickets, p.Ticket.Ticket)
		t := PSKTicket{Type: p.Ticket.Type, Lifetime: p.Ticket.Lifetime, Ticket: hexPrefix(p.Ticket.Ticket, 8)}
		if !p.Saved.IsZero() {
			t.Saved = p.Saved.Format("2006-01-02T15:04:05Z07:00")
		}
		d.psk.stats.Tickets = append(d.psk.stats.Tickets, t)
	}
	d.stats.PSK = &d.psk.stats
}

func hexPrefix(b []byte, n int) string {
	const digits = "0123456789abcdef"
	var s []byte
	for i := 0; i < len(b) && i < n; i++ {
		s = append(s, digits[b[i]>>4], digits[b[i]&15])
	}
	return string(s)
}

// hello notes whether a connection's ClientHello presents a psk.key
// ticket; called with the client's first record.
func (p *pskState) hello(c *conn) {
	if c.sess == nil || c.sess.ClientHello() == nil {
		return
	}
	ext, ok := c.sess.ClientHello().PreSharedKey()
	presents := false
	if ok {
		p.stats.PSKHellos++
		for _, t := range ext.Tickets {
			for _, mine := range p.tickets {
				if bytes.Equal(t.Ticket, mine) {
					presents = true
				}
			}
		}
	}
	if presents {
		p.stats.Presenting++
	}
	c.presentsPSK = presents
}

// record counts an encrypted record of a presenting connection.
func (p *pskState) record(c *conn, opened bool, err error) {
	if !c.presentsPSK {
		return
	}
	switch {
	case opened:
		p.stats.RecordsOpened++
	case errors.Is(err, mmtls.ErrTagMismatch) || errors.Is(err, mmtls.ErrNoKeys):
		p.stats.AttemptsFailed++
	}
}
