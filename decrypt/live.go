// This file is live decoding: the capture is a stream and the key log
// grows while it is read (a hook on the phone logs keys as the app uses
// them, and they reach the host on another channel than the packets). Keys
// may arrive before or after the records they open, so records wait:
// while their connection is open (as in offline runs), after it closed
// (the connection is parked), and business packets whose inner key is
// missing are held. Everything that waits is bounded in count and bytes;
// what is dropped to stay within the bounds is counted.

package decrypt

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/wxaudit/wxaudit/business"
	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// LiveOptions turn on live decoding (Options.Live).
type LiveOptions struct {
	// Poll adds the key-log lines written since the last call to the
	// Options.Keys log and returns how many entries it gained (for
	// instance keylog.Follower.Poll). It is called from Run's goroutine.
	Poll func() (int, error)
	// PollInterval is how often Poll is called while Run waits for
	// packets or reads them; zero means 200 ms.
	PollInterval time.Duration
	// Grace is how long Run keeps polling after the end of the capture
	// for keys still on their way; zero means not at all.
	Grace time.Duration
	// MaxWaitingConns bounds the closed connections kept because records
	// of theirs wait for a key; zero means 1024.
	MaxWaitingConns int
	// MaxWaitingBytes bounds the bytes of records and business packets
	// kept waiting for a key after their connection closed, or for an
	// inner key; zero means 64 MiB.
	MaxWaitingBytes int
}

// LiveStats counts what live decoding waited for (Stats.Live).
type LiveStats struct {
	Polls          int    `json:"polls"`
	KeysAdded      int    `json:"keys_added"`
	PollErrors     int    `json:"poll_errors"`
	LastPollError  string `json:"last_poll_error,omitempty"`
	RecordsLate    int    `json:"records_opened_late"`
	PayloadsLate   int    `json:"payloads_opened_late"`
	ConnsWaited    int    `json:"connections_waited_after_close"`
	ConnsDropped   int    `json:"connections_dropped_waiting"`
	RecordsDropped int    `json:"records_dropped_waiting"`
	HeldPayloads   int    `json:"payloads_held_for_inner_key"`
	HeldDropped    int    `json:"payloads_dropped_waiting"`
	BytesDropped   int64  `json:"bytes_dropped_waiting"`
}

// ReasonWaitLimit is why a record or payload that waited for a key was
// given up before the end of the capture.
const ReasonWaitLimit = "no key (live wait limit)"

func (o *LiveOptions) interval() time.Duration {
	if o.PollInterval > 0 {
		return o.PollInterval
	}
	return 200 * time.Millisecond
}

func (o *LiveOptions) maxConns() int {
	if o.MaxWaitingConns > 0 {
		return o.MaxWaitingConns
	}
	return 1024
}

func (o *LiveOptions) maxBytes() int {
	if o.MaxWaitingBytes > 0 {
		return o.MaxWaitingBytes
	}
	return 64 << 20
}

type live struct {
	d         *decrypter
	opts      *LiveOptions
	stats     LiveStats
	open      map[*conn]struct{}
	parked    []*conn
	releasing *conn
	held      []heldPacket
	heldBytes int
	quit      chan struct{}
}

// heldPacket is a business packet waiting for its inner key.
type heldPacket struct {
	c    *conn
	p    payload.Payload
	pkt  []byte
	then func(business.Packet)
}

func newLive(d *decrypter, o *LiveOptions) *live {
	d.hasSecrets = true // secrets may arrive later: every connection follows its key schedule
	return &live{d: d, opts: o, open: map[*conn]struct{}{}, quit: make(chan struct{})}
}

// track remembers an open connection, to retry its records on new keys.
func (l *live) track(c *conn) { l.open[c] = struct{}{} }

// reader returns the packet source for Run: packets are read on another
// goroutine so that keys are polled while the stream is idle. The reader
// hands over one packet at a time and waits until Run asks for the next
// (capture.Packet aliases the reader's buffer).
func (l *live) reader(ctx context.Context, cr *capture.Reader) func() (capture.Packet, error) {
	type result struct {
		p   capture.Packet
		err error
	}
	ch := make(chan result)
	ack := make(chan struct{})
	go func() {
		for {
			p, err := cr.Next()
			select {
			case ch <- result{p, err}:
			case <-l.quit:
				return
			}
			if err != nil {
				return
			}
			select {
			case <-ack:
			case <-l.quit:
				return
			}
		}
	}()
	tick := time.NewTicker(l.opts.interval())
	started, done := false, false
	return func() (capture.Packet, error) {
		if done {
			return capture.Packet{}, errors.New("decrypt: live reader used after its end")
		}
		if started {
			ack <- struct{}{}
		}
		started = true
		for {
			select {
			case r := <-ch:
				if r.err != nil {
					done = true
					tick.Stop()
				}
				return r.p, r.err
			case <-tick.C:
				l.poll()
			case <-ctx.Done():
				done = true
				tick.Stop()
				return capture.Packet{}, ctx.Err()
			}
		}
	}
}

// poll asks for new keys and retries what waits when some arrived.
func (l *live) poll() {
	n, err := l.opts.Poll()
	l.stats.Polls++
	if err != nil {
		l.stats.PollErrors++
		l.stats.LastPollError = err.Error()
	}
	if n > 0 {
		l.stats.KeysAdded += n
		l.apply()
	}
}

// apply retries every waiting record and business packet with the keys
// known now.
func (l *live) apply() {
	before := l.d.stats.RecordsDecrypted
	for c := range l.open {
		l.retry(c)
	}
	for _, c := range append([]*conn(nil), l.parked...) {
		l.retry(c)
		if !c.hasPending() {
			l.release(c, false)
		}
	}
	l.retryHeld()
	l.stats.RecordsLate += l.d.stats.RecordsDecrypted - before
}

func (l *live) retry(c *conn) {
	if !c.classified || c.half[0] == nil {
		return
	}
	// A record opened on one direction may give the keys of the other
	// (a server's NewSessionTicket gives the client's application keys, a
	// client's EncryptedExtensions the 0-RTT response key): repeat while
	// records open.
	for {
		before := l.d.stats.RecordsDecrypted
		if c.sess != nil {
			c.sess.Relookup()
		}
		c.progress()
		if l.d.stats.RecordsDecrypted == before {
			return
		}
	}
}

func (c *conn) hasPending() bool {
	for _, h := range c.half {
		if h != nil && h.pendingCount() > 0 {
			return true
		}
	}
	return false
}

// park is called when the reassembler closes c. It frames what is left
// and, if records still wait for a key, keeps c open for them and reports
// true; Close then returns early.
func (l *live) park(c *conn) bool {
	if c == l.releasing {
		delete(l.open, c)
		return false
	}
	for _, p := range l.parked {
		if p == c {
			return true
		}
	}
	if !c.classified {
		c.tryClassify(true)
	}
	for _, h := range c.half {
		if h == nil {
			continue
		}
		h.drain()
		if u, ok := h.framer.Close(); ok {
			h.onFrame(u)
		}
	}
	if !c.hasPending() {
		delete(l.open, c)
		return false
	}
	delete(l.open, c)
	l.parked = append(l.parked, c)
	l.stats.ConnsWaited++
	l.bound()
	return true
}

// release closes a parked connection; with dropped set it gave up
// waiting to stay within the bounds.
func (l *live) release(c *conn, dropped bool) {
	for i, p := range l.parked {
		if p == c {
			l.parked = append(l.parked[:i], l.parked[i+1:]...)
			break
		}
	}
	if dropped {
		l.stats.ConnsDropped++
		for _, h := range c.half {
			if h == nil {
				continue
			}
			for i := range h.queue {
				if r := &h.queue[i]; r.pending {
					l.stats.RecordsDropped++
					l.stats.BytesDropped += int64(len(r.raw))
					h.c.d.stats.RecordsNotDecrypted[ReasonWaitLimit]++
					r.pending, r.failed, r.raw = false, true, nil
					h.trace(r, stateFailed, ReasonWaitLimit, nil)
				}
			}
		}
	}
	l.releasing = c
	c.Close("")
	l.releasing = nil
}

// waitingBytes is what parked connections and held packets keep.
func (l *live) waitingBytes() int {
	n := l.heldBytes
	for _, c := range l.parked {
		for _, h := range c.half {
			if h == nil {
				continue
			}
			for _, r := range h.queue {
				n += len(r.raw)
			}
		}
	}
	return n
}

// bound gives up the oldest parked connections beyond the limits.
func (l *live) bound() {
	for len(l.parked) > 0 && (len(l.parked) > l.opts.maxConns() || l.waitingBytes() > l.opts.maxBytes()) {
		l.release(l.parked[0], true)
	}
}

// hold keeps a business packet whose inner key is missing, if it fits in
// the bounds, and reports whether it did.
func (l *live) hold(c *conn, p *payload.Payload, pkt []byte, then func(business.Packet), reason string) bool {
	if !waitable(reason) {
		return false
	}
	if l.heldBytes+len(pkt) > l.opts.maxBytes() || len(l.held) >= l.opts.maxConns()*16 {
		l.stats.HeldDropped++
		l.stats.BytesDropped += int64(len(pkt))
		return false
	}
	l.held = append(l.held, heldPacket{c: c, p: *p, pkt: append([]byte(nil), pkt...), then: then})
	l.heldBytes += len(pkt)
	l.stats.HeldPayloads++
	return true
}

// waitable reports whether an inner failure may be a key not yet known
// (hybrid-ECDH parts prefix their part name to the reason).
func waitable(reason string) bool {
	for _, r := range []string{taxonomy.ReasonNoKey, taxonomy.ReasonTagMismatch, taxonomy.ReasonBadPadding, taxonomy.ReasonLengthMismatch} {
		if strings.HasSuffix(reason, r) {
			return true
		}
	}
	return false
}

func (l *live) retryHeld() {
	keep := l.held[:0]
	for _, h := range l.held {
		o, err := business.Open(h.pkt, l.d.keys, &l.d.biz.st)
		if err != nil {
			keep = append(keep, h)
			continue
		}
		l.heldBytes -= len(h.pkt)
		l.stats.PayloadsLate++
		if h.then != nil {
			h.then(o)
		}
		h.c.emitParts(&h.p, o)
	}
	clear(l.held[len(keep):])
	l.held = keep
}

// end is called at the end of the capture, before the reassembler closes
// the connections still open: it polls for the keys still on their way.
func (l *live) end() {
	if l.opts.Grace > 0 {
		deadline := time.Now().Add(l.opts.Grace)
		for time.Now().Before(deadline) {
			l.poll()
			time.Sleep(min(l.opts.interval(), time.Until(deadline)))
		}
	}
	l.poll()
}

// finish closes the parked connections and counts the held packets as not
// decrypted, after the reassembler closed everything.
func (l *live) finish() {
	close(l.quit)
	for len(l.parked) > 0 {
		l.release(l.parked[0], false)
	}
	for _, h := range l.held {
		reason := taxonomy.ReasonInnerFailure
		if _, err := business.Open(h.pkt, l.d.keys, &l.d.biz.st); err != nil {
			var oe *business.OpenError
			if errors.As(err, &oe) {
				reason = "inner: " + oe.Reason
			}
		}
		l.d.stats.PayloadsNotDecrypted[reason]++
	}
	l.held, l.heldBytes = nil, 0
	ks := l.d.keys.Stats()
	l.d.stats.Keylog = &ks
	st := l.stats
	l.d.stats.Live = &st
}
