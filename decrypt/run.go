package decrypt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/internal/bufpool"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/mmtls"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/reassemble"
)

// Options control a decryption run. The zero value decrypts nothing (no
// keys) but still frames and counts everything.
type Options struct {
	// Keys is the loaded key log (Citizen Lab Frida format, wxaudit secrets,
	// or both). Nil means no keys.
	Keys *keylog.Log
	// CaptureName names the input in each payload's provenance.
	CaptureName string
	// Reassembly bounds TCP reassembly; zero fields take the reassembler's
	// defaults, except IdleTimeout: zero means DefaultIdleTimeout, and a
	// negative value keeps idle connections open to the end.
	Reassembly reassemble.Options
	// MaxPendingRecords bounds, per connection direction, the records kept
	// while waiting for a key that a later record may reveal. Zero means
	// DefaultMaxPendingRecords.
	MaxPendingRecords int
	// OnRecord, if set, is called with the dissection of every MMTLS
	// record once its fate is known (plaintext, decrypted, or not and
	// why), in the order fates are decided. It never sees key material.
	OnRecord func(RecordEvent)
	// MaxInflated bounds the size of one inflated payload (zlib bombs).
	// Zero means DefaultMaxInflated.
	MaxInflated int64
	// MaxInflatedTotal bounds what all the payloads of the capture may
	// inflate to together (output amplification); payloads past it are
	// counted as not decrypted. Zero means business.DefaultMaxInflateTotal.
	MaxInflatedTotal int64
	// Live, if set, decodes a capture stream while Keys grows (live.go).
	Live *LiveOptions
	// Workers, when 2 or more, opens business packets (inner decryption,
	// inflation, signature) on that many goroutines while the run frames
	// and decrypts records. Payloads still reach emit in the same order,
	// on the caller's goroutine, with the same content: a packet is
	// opened again in order if a key learned meanwhile could change it.
	// Live runs open in line (keys change during them). At most 8×Workers
	// payloads are in flight. Zero or one opens in line.
	Workers int
	// PSKs are tickets and secrets from WeChat's stored psk.key (psk.go).
	PSKs []keylog.StoredPSK
	// Sink, if set, also receives every payload, in output order (sink.go).
	Sink Sink
	// ReusePayloads lets Run reuse the memory of each payload's bytes once
	// emit (and Sink) return: set it when emit writes a payload out at
	// once and keeps nothing of it. Most of what a run allocates is these
	// bytes. Live runs ignore it (held packets outlive emit).
	ReusePayloads bool
}

// Defaults for Options.
const (
	// DefaultIdleTimeout closes a connection when none of its packets was
	// seen for that long in capture time, so that memory follows the
	// connections open at once rather than the capture's length (the
	// phone drops many connections without a FIN the capture sees). It
	// is longer than the Longlink heartbeat, which WeChat's network
	// library (Tencent Mars, "smart heartbeat") spaces 4 min 30 s to
	// 9 min 50 s apart, so a live Longlink is never cut. A connection
	// closed this way ends as at the end of the capture, only earlier in
	// the output.
	DefaultIdleTimeout = 15 * time.Minute

	DefaultMaxPendingRecords = 64
	DefaultMaxInflated       = 64 << 20
)

func (o Options) maxPending() int {
	if o.MaxPendingRecords > 0 {
		return o.MaxPendingRecords
	}
	return DefaultMaxPendingRecords
}

func (o Options) maxInflated() int64 {
	if o.MaxInflated > 0 {
		return o.MaxInflated
	}
	return DefaultMaxInflated
}

// decrypter is the state of one run: it opens a conn per TCP connection.
type decrypter struct {
	opts    Options
	keys    *keylog.Log
	stats   *Stats
	emit    func(*payload.Payload) error
	err     error // first error from emit: ends the run
	aeads   map[keylog.KeyIV]*mmtls.XORNonceAEAD
	scratch []byte
	biz     bizState
	order   orderer

	hasSecrets bool               // the key log has connection secrets
	tickets    *mmtls.TicketCache // PSKs issued by handshakes seen so far
	freeConns  []*conn            // closed conns to reuse (conn.go)
	live       *live              // nil unless Options.Live
	psk        *pskState          // nil unless Options.PSKs
}

// Open implements reassemble.Handler.
func (d *decrypter) Open(c reassemble.Conn) reassemble.Stream { return newConn(d, c) }

func (d *decrypter) send(p *payload.Payload) {
	if d.err != nil {
		return
	}
	p.Capture = d.opts.CaptureName
	d.err = d.emit(p)
	if d.err == nil && d.opts.Sink != nil {
		d.err = d.opts.Sink.Payload(p)
	}
}

// recycle reports whether payload and packet buffers go back to bufpool
// once used (Options.ReusePayloads).
func (d *decrypter) recycle() bool { return d.opts.ReusePayloads && d.live == nil }

// release gives the array of b, which a sent payload or a committed job
// held alone, back to bufpool when payloads are recycled.
func (d *decrypter) release(b []byte) {
	if d.recycle() {
		bufpool.Put(b)
	}
}

// clone copies b, into a buffer from bufpool when payloads are recycled.
func (d *decrypter) clone(b []byte) []byte {
	if d.recycle() {
		return bufpool.Clone(b)
	}
	return slices.Clone(b)
}

// appendBytes appends src to dst, which the caller owns alone, growing it
// through bufpool when payloads are recycled.
func (d *decrypter) appendBytes(dst, src []byte) []byte {
	if d.recycle() {
		return bufpool.Append(dst, src)
	}
	return append(dst, src...)
}

// Run reads a capture (pcap or pcapng, detected by magic number) from r and
// calls emit with every payload it decrypts and every plain-HTTP request,
// in the order their last bytes appear in the capture. emit's argument is
// not reused. A capture that ends in the middle of a frame still yields
// everything before it; the returned error then wraps io.ErrUnexpectedEOF
// and Stats is complete. An error from emit ends the run and is returned.
func Run(ctx context.Context, r io.Reader, opts Options, emit func(*payload.Payload) error) (*Stats, error) {
	cr, err := capture.NewReader(r)
	if err != nil {
		return nil, err
	}
	d := &decrypter{
		opts:  opts,
		keys:  opts.Keys,
		stats: newStats(),
		emit:  emit,
		aeads: map[keylog.KeyIV]*mmtls.XORNonceAEAD{},
	}
	if d.keys != nil {
		ks := d.keys.Stats()
		d.stats.Keylog = &ks
		d.hasSecrets = hasSecretLines(d.keys)
		d.tickets = mmtls.NewTicketCache(0)
	}
	d.setupPSK(opts.PSKs)
	d.biz.init(d)
	next := cr.Next
	if opts.Live != nil && d.keys != nil {
		d.live = newLive(d, opts.Live)
		next = d.live.reader(ctx, cr)
	}
	workers := opts.Workers
	if d.live != nil {
		workers = 0 // keys change while it runs
	}
	if d.recycle() {
		d.biz.st.Alloc = bufpool.Get
	}
	d.order.start(d, workers)
	defer d.order.stop()
	ropts := opts.Reassembly
	if ropts.IdleTimeout == 0 {
		ropts.IdleTimeout = DefaultIdleTimeout
	}
	asm := reassemble.NewAssembler(d, ropts)
	var readErr error
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return d.stats, err
			}
		}
		p, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = fmt.Errorf("decrypt: reading capture: %w", err)
			break
		}
		asm.Add(p)
		if d.err != nil {
			return d.stats, d.err
		}
	}
	if d.live != nil {
		d.live.end()
	}
	asm.Flush()
	d.order.finish()
	if d.live != nil {
		d.live.finish()
	}
	d.stats.Capture = cr.Stats()
	d.stats.Reassembly = asm.Stats()
	if d.err != nil {
		return d.stats, d.err
	}
	return d.stats, readErr
}
