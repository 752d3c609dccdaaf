package reassemble

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/wxaudit/wxaudit/capture"
)

// Direction is one of the two byte streams of a TCP connection.
type Direction uint8

// Directions of a connection.
const (
	ClientToServer Direction = iota
	ServerToClient
)

// String returns "client to server" or "server to client", the words of
// the hex flow fixture format.
func (d Direction) String() string {
	switch d {
	case ClientToServer:
		return "client to server"
	case ServerToClient:
		return "server to client"
	}
	return fmt.Sprintf("direction(%d)", uint8(d))
}

// Reverse returns the other direction.
func (d Direction) Reverse() Direction { return d ^ 1 }

// ConnID names a connection by its endpoints.
type ConnID struct {
	Client, Server netip.AddrPort
}

// String formats the ID as "client > server".
func (id ConnID) String() string { return id.Client.String() + " > " + id.Server.String() }

// Conn describes a connection when it opens.
type Conn struct {
	ID ConnID
	// Index is the order of first appearance in the capture, from 0.
	Index int
	// FirstFrame and Start are the frame number and time of its first packet.
	FirstFrame int64
	Start      time.Time
	// SawSYN reports that the connection's first packet was a SYN or SYN-ACK,
	// so the stream offsets start at the true beginning of the streams.
	SawSYN bool
}

// Segment says which frame carried which stream bytes. Offset is relative to
// the direction's stream start.
type Segment struct {
	Offset int64
	Len    int
	Frame  int64
	Time   time.Time
}

// Handler creates a Stream for each new connection.
type Handler interface {
	// Open is called once per connection, before any other call for it. It
	// may return nil to ignore the connection.
	Open(c Conn) Stream
}

// Stream receives one connection's bytes.
//
// Call order: Open, then any interleaving of Data and Gap for the two
// directions, then exactly one Close. Within one direction, the first Data
// or Gap starts at offset 0, and each call continues where the previous one
// ended: a Data ends at offset+len(data), a Gap of n bytes advances the
// offset by n (a Gap with n = -1, unknown, is only reported last). Stream
// methods must not call back into the Assembler.
type Stream interface {
	// Data delivers the next in-order bytes of one direction. data is valid
	// until Data returns (it may alias the packet or the assembler's buffers);
	// copy it to keep it. offset is data[0]'s position in that direction's
	// stream; segs covers data exactly, in order, and is valid until Data
	// returns.
	Data(d Direction, offset int64, data []byte, segs []Segment)
	// Gap reports n bytes (n may be unknown: -1) that will never arrive
	// before the next Data. reason is "buffer limit", "not captured" or
	// "snapped".
	Gap(d Direction, n int64, reason string)
	// Close ends the connection: reason "fin", "rst", "timeout",
	// "end of capture" or "limit".
	Close(reason string)
}

// Options bounds the Assembler. Zero fields take the defaults shown.
type Options struct {
	// MaxBufferedBytesPerConn bounds the out-of-order bytes buffered for one
	// connection (both directions). Default 4 MiB.
	MaxBufferedBytesPerConn int
	// MaxBufferedBytesTotal bounds the out-of-order bytes buffered for all
	// connections. Default 64 MiB.
	MaxBufferedBytesTotal int
	// MaxBufferedChunksPerConn and MaxBufferedChunksTotal bound the
	// out-of-order pieces buffered, so a flood of one-byte segments is
	// bounded by more than its bytes (each piece costs about 100 bytes of
	// bookkeeping). Defaults 131072 and 1048576.
	MaxBufferedChunksPerConn int
	MaxBufferedChunksTotal   int
	// MaxConns bounds the connections tracked, open or recently closed (kept
	// so that late ACKs and retransmissions do not open new connections).
	// When a new connection would exceed it, the least recently seen closed
	// one is forgotten, or else the least recently seen open one is closed
	// with reason "limit". Default 65536.
	MaxConns int
	// IdleTimeout closes a connection with reason "timeout" when no packet of
	// it was seen for that long in capture time. Zero disables it: WeChat's
	// Longlink stays idle for minutes between heartbeats.
	IdleTimeout time.Duration
}

// Defaults for zero Options fields.
const (
	defaultMaxBufferedPerConn = 4 << 20
	defaultMaxBufferedTotal   = 64 << 20
	defaultMaxConns           = 65536
	defaultMaxChunksPerConn   = 1 << 17
	defaultMaxChunksTotal     = 1 << 20
	// maxWindow bounds how far ahead of the next expected byte a segment may
	// start: TCP windows are at most 2^30 bytes (RFC 7323), so a segment
	// beyond that is garbage and is counted, not buffered.
	maxWindow = 1 << 30
)

// Close and gap reasons.
const (
	reasonFIN      = "fin"
	reasonRST      = "rst"
	reasonTimeout  = "timeout"
	reasonEnd      = "end of capture"
	reasonLimit    = "limit"
	gapBufferLimit = "buffer limit"
	gapNotCaptured = "not captured"
	gapSnapped     = "snapped"
)

// Stats counts what an Assembler did.
type Stats struct {
	Packets        int64 // packets added
	Conns          int64 // connections opened
	ConnsOverLimit int64 // connections closed with reason "limit"
	BytesDelivered int64 // bytes passed to Stream.Data
	Gaps           int64 // Gap calls
	GapBytes       int64 // bytes reported missing by Gap calls of known size
	// Retransmissions counts segments whose bytes had all been seen already;
	// RetransmittedBytes their bytes.
	Retransmissions    int64
	RetransmittedBytes int64
	// Overlaps counts segments that partly overlapped bytes already seen;
	// OverlapBytes the overlapping bytes, which were dropped.
	Overlaps     int64
	OverlapBytes int64
	// OutOfOrder counts segments buffered because a hole preceded them.
	OutOfOrder int64
	// OutOfWindow counts segments starting implausibly far (2^30 bytes)
	// ahead of the stream, which are dropped.
	OutOfWindow int64
	// PeakBufferedBytes is the most out-of-order bytes buffered at once.
	PeakBufferedBytes int64
}

// connKey is a connection's endpoints in canonical order.
type connKey struct{ lo, hi netip.AddrPort }

func makeKey(a, b netip.AddrPort) connKey {
	if a.Compare(b) > 0 {
		a, b = b, a
	}
	return connKey{a, b}
}

// half is the reassembly state of one direction.
type half struct {
	started bool
	isn     uint32 // sequence number of stream offset 0
	next    int64  // offset of the next byte to deliver
	ooo     chunks
	fin     bool  // a FIN was seen
	finOff  int64 // offset the FIN occupies
	done    bool  // delivered up to the FIN
	snapped bool  // the last delivered segment was cut short by the snaplen
}

// seqOffset maps a sequence number to a stream offset near next, so that
// sequence numbers wrap around correctly.
func (h *half) seqOffset(seq uint32) int64 {
	return h.next + int64(int32(seq-(h.isn+uint32(h.next))))
}

// conn is the state of one tracked connection.
type conn struct {
	key      connKey
	info     Conn
	stream   Stream
	half     [2]half
	buffered int
	chunks   int // buffered pieces
	lastSeen time.Time
	closed   bool        // set by closeConn, which replaces the conn by a tomb
	lru      links[conn] // among open connections
}

// tomb is what is kept of a closed connection: enough to recognise its
// late retransmissions and ACKs (the endpoints) and to forget it in
// least-recently-seen order. A conn with its stream and buffers weighs
// about 400 bytes; a tomb 96, plus its map entry.
type tomb struct {
	key      connKey
	lastSeen int64       // capture time, Unix nanoseconds
	lru      links[tomb] // among closed connections
}

// links are the fields of an intrusive doubly linked list.
type links[T any] struct{ prev, next *T }

// linked is a list element: *conn or *tomb.
type linked[T any] interface {
	*T
	links() *links[T]
}

func (c *conn) links() *links[conn] { return &c.lru }
func (t *tomb) links() *links[tomb] { return &t.lru }

// lruList is an intrusive doubly linked list, least recently seen first;
// pushing, removing and taking the oldest cost no allocation.
type lruList[T any, P linked[T]] struct{ head, tail *T }

func (l *lruList[T, P]) pushBack(e *T) {
	ln := P(e).links()
	ln.prev, ln.next = l.tail, nil
	if l.tail != nil {
		P(l.tail).links().next = e
	} else {
		l.head = e
	}
	l.tail = e
}

func (l *lruList[T, P]) remove(e *T) {
	ln := P(e).links()
	if ln.prev != nil {
		P(ln.prev).links().next = ln.next
	} else {
		l.head = ln.next
	}
	if ln.next != nil {
		P(ln.next).links().prev = ln.prev
	} else {
		l.tail = ln.prev
	}
	ln.prev, ln.next = nil, nil
}

// Assembler reassembles TCP connections. It is not safe for concurrent use.
//
// # Performance
//
// An in-order segment costs a map lookup and a Data call, with no allocation
// and no copy. Only out-of-order bytes are copied.
type Assembler struct {
	h     Handler
	opts  Options
	conns map[connKey]*conn    // open connections
	tombs map[connKey]*tomb    // closed connections
	open  lruList[conn, *conn] // open connections, least recently seen first
	dead  lruList[tomb, *tomb] // closed connections, least recently seen first
	n     int                  // len(conns) + len(tombs)

	buffered int
	chunks   int // buffered pieces
	nextIdx  int
	stats    Stats
	segs     [1]Segment // reused for single-segment deliveries
	holes    [][2]int64 // reused by insert
}

// NewAssembler returns an Assembler that opens streams with h.
func NewAssembler(h Handler, opts Options) *Assembler {
	if opts.MaxBufferedBytesPerConn <= 0 {
		opts.MaxBufferedBytesPerConn = defaultMaxBufferedPerConn
	}
	if opts.MaxBufferedBytesTotal <= 0 {
		opts.MaxBufferedBytesTotal = defaultMaxBufferedTotal
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = defaultMaxConns
	}
	if opts.MaxBufferedChunksPerConn <= 0 {
		opts.MaxBufferedChunksPerConn = defaultMaxChunksPerConn
	}
	if opts.MaxBufferedChunksTotal <= 0 {
		opts.MaxBufferedChunksTotal = defaultMaxChunksTotal
	}
	return &Assembler{h: h, opts: opts, conns: make(map[connKey]*conn), tombs: make(map[connKey]*tomb)}
}

// Stats returns the counters so far.
func (a *Assembler) Stats() Stats { return a.stats }

// isServerPort reports whether port looks like a server's rather than an
// ephemeral client port.
func isServerPort(port uint16) bool { return port < 1024 || port == 8080 || port == 8443 }

// Add feeds one packet. Packets must be added in capture order. p.Payload
// may be reused by the caller after Add returns: bytes that must be kept
// (out-of-order data) are copied.
func (a *Assembler) Add(p capture.Packet) {
	a.stats.Packets++
	if a.opts.IdleTimeout > 0 {
		a.expire(p.Time)
	}
	key := makeKey(p.Src, p.Dst)
	c := a.conns[key]
	if c == nil {
		if t := a.tombs[key]; t != nil {
			// A new SYN on a closed connection's endpoints is port reuse;
			// any other packet is a straggler of the closed connection.
			if !(p.Flags.Has(capture.SYN) && !p.Flags.Has(capture.ACK)) {
				a.dead.remove(t)
				t.lastSeen = p.Time.UnixNano()
				a.dead.pushBack(t)
				return
			}
			a.forget(t)
		}
	}
	if c == nil {
		c = a.newConn(key, p)
	} else {
		a.open.remove(c)
		a.open.pushBack(c)
	}
	c.lastSeen = p.Time
	if c.stream == nil {
		return
	}

	d := ClientToServer
	if p.Src != c.info.ID.Client {
		d = ServerToClient
	}
	h := &c.half[d]
	seq := p.Seq
	if p.Flags.Has(capture.SYN) {
		seq++ // the SYN occupies one sequence number before the data
		if !h.started {
			h.started, h.isn = true, seq
		}
	}
	if !h.started {
		h.started, h.isn = true, seq
	}
	off := h.seqOffset(seq)
	if len(p.Payload) > 0 {
		a.segment(c, d, off, p.Payload, p.Frame, p.Time)
		if p.Truncated {
			// The rest of this segment was not captured: the next segment
			// starts after a hole that will never be filled.
			h.snapped = true
		}
	}
	if p.Flags.Has(capture.FIN) && !h.fin {
		h.fin, h.finOff = true, off+int64(len(p.Payload))
		if p.Truncated {
			h.finOff = -1 // unknown: close at the FIN whatever was captured
		}
	}
	if p.Flags.Has(capture.RST) {
		a.closeConn(c, reasonRST)
		return
	}
	a.checkFIN(c, d)
}

// newConn starts tracking a connection whose first packet is p.
func (a *Assembler) newConn(key connKey, p capture.Packet) *conn {
	if a.n >= a.opts.MaxConns {
		if old := a.dead.head; old != nil {
			a.forget(old)
		} else if old := a.open.head; old != nil {
			a.stats.ConnsOverLimit++
			if t := a.closeConn(old, reasonLimit); t != nil {
				a.forget(t)
			}
		}
	}
	client, server := p.Src, p.Dst
	syn, ack := p.Flags.Has(capture.SYN), p.Flags.Has(capture.ACK)
	switch {
	case syn && !ack:
	case syn && ack:
		client, server = server, client
	case isServerPort(p.Src.Port()) && !isServerPort(p.Dst.Port()):
		client, server = server, client
	}
	c := &conn{key: key, info: Conn{
		ID:         ConnID{Client: client, Server: server},
		Index:      a.nextIdx,
		FirstFrame: p.Frame,
		Start:      p.Time,
		SawSYN:     syn,
	}}
	a.nextIdx++
	a.stats.Conns++
	a.conns[key] = c
	a.n++
	a.open.pushBack(c)
	c.stream = a.h.Open(c.info)
	return c
}

// forget drops a tombstone entirely.
func (a *Assembler) forget(t *tomb) {
	a.dead.remove(t)
	delete(a.tombs, t.key)
	a.n--
}

// expire closes connections idle since before now-IdleTimeout, and forgets
// tombstones as old.
func (a *Assembler) expire(now time.Time) {
	limit := now.Add(-a.opts.IdleTimeout)
	for c := a.open.head; c != nil && c.lastSeen.Before(limit); c = a.open.head {
		a.closeConn(c, reasonTimeout)
	}
	for t := a.dead.head; t != nil && t.lastSeen < limit.UnixNano(); t = a.dead.head {
		a.forget(t)
	}
}

// segment handles payload bytes [off, off+len(data)) of direction d.
func (a *Assembler) segment(c *conn, d Direction, off int64, data []byte, frame int64, t time.Time) {
	h := &c.half[d]
	end := off + int64(len(data))
	if end <= h.next {
		a.stats.Retransmissions++
		a.stats.RetransmittedBytes += int64(len(data))
		return
	}
	if off < h.next {
		a.stats.Overlaps++
		a.stats.OverlapBytes += h.next - off
		data = data[h.next-off:]
		off = h.next
	}
	if off > h.next && h.snapped {
		a.gap(c, d, off-h.next, gapSnapped)
	}
	if off == h.next {
		h.snapped = false
		a.deliver(c, d, off, data, frame, t)
		a.drain(c, d)
		return
	}
	if off-h.next > maxWindow {
		a.stats.OutOfWindow++
		return
	}
	switch covered := a.insert(c, d, off, data, frame, t); {
	case covered == int64(len(data)):
		a.stats.Retransmissions++
		a.stats.RetransmittedBytes += covered
		return
	case covered > 0:
		a.stats.Overlaps++
		a.stats.OverlapBytes += covered
	}
	a.stats.OutOfOrder++
	a.enforceLimits(c, d)
}

// deliver passes one in-order piece to the stream.
func (a *Assembler) deliver(c *conn, d Direction, off int64, data []byte, frame int64, t time.Time) {
	h := &c.half[d]
	if off != h.next {
		panic("reassemble: internal error: delivery out of order")
	}
	a.segs[0] = Segment{Offset: off, Len: len(data), Frame: frame, Time: t}
	c.stream.Data(d, off, data, a.segs[:1])
	h.next += int64(len(data))
	a.stats.BytesDelivered += int64(len(data))
}

// gap reports n missing bytes of direction d and skips over them.
func (a *Assembler) gap(c *conn, d Direction, n int64, reason string) {
	c.stream.Gap(d, n, reason)
	a.stats.Gaps++
	if n > 0 {
		a.stats.GapBytes += n
		c.half[d].next += n
	}
}

// drain delivers the buffered chunks that became contiguous, trimming what
// was already delivered.
func (a *Assembler) drain(c *conn, d Direction) {
	h := &c.half[d]
	for {
		ch, ok := h.ooo.Min()
		if !ok || ch.off > h.next {
			return
		}
		h.ooo.DeleteMin()
		a.unbuffer(c, len(ch.data))
		if end := ch.end(); end > h.next {
			data := ch.data[h.next-ch.off:]
			a.deliver(c, d, h.next, data, ch.frame, ch.time)
		}
	}
}

// unbuffer accounts for one chunk of n bytes leaving the buffers.
func (a *Assembler) unbuffer(c *conn, n int) {
	c.buffered -= n
	a.buffered -= n
	c.chunks--
	a.chunks--
}

// insert buffers the parts of [off, off+len(data)) not already buffered and
// returns how many bytes were already buffered. Bytes already buffered win:
// they were seen first. Its cost is O(log n) in the chunks buffered, plus
// the chunks it overlaps.
func (a *Assembler) insert(c *conn, d Direction, off int64, data []byte, frame int64, t time.Time) (covered int64) {
	h := &c.half[d]
	end := off + int64(len(data))
	cur := off
	holes := a.holes[:0]
	h.ooo.ascendFrom(off, func(ch chunk) bool {
		if ch.off >= end {
			return false
		}
		if ch.off > cur {
			holes = append(holes, [2]int64{cur, ch.off})
		}
		covered += min(ch.end(), end) - max(ch.off, cur)
		cur = max(cur, ch.end())
		return cur < end
	})
	if cur < end {
		holes = append(holes, [2]int64{cur, end})
	}
	for _, hole := range holes {
		piece := make([]byte, hole[1]-hole[0])
		copy(piece, data[hole[0]-off:hole[1]-off])
		h.ooo.insert(chunk{off: hole[0], data: piece, frame: frame, time: t})
		c.buffered += len(piece)
		a.buffered += len(piece)
		c.chunks++
		a.chunks++
	}
	a.holes = holes[:0]
	if int64(a.buffered) > a.stats.PeakBufferedBytes {
		a.stats.PeakBufferedBytes = int64(a.buffered)
	}
	return covered
}

// enforceLimits skips ahead over holes until the buffers are within bounds:
// first in c (direction d first), then in the least recently seen
// connections.
func (a *Assembler) enforceLimits(c *conn, d Direction) {
	for c.buffered > a.opts.MaxBufferedBytesPerConn || a.buffered > a.opts.MaxBufferedBytesTotal ||
		c.chunks > a.opts.MaxBufferedChunksPerConn || a.chunks > a.opts.MaxBufferedChunksTotal {
		if !a.skipAhead(c, d) && !a.skipAhead(c, d.Reverse()) {
			break
		}
	}
	over := func() bool {
		return a.buffered > a.opts.MaxBufferedBytesTotal || a.chunks > a.opts.MaxBufferedChunksTotal
	}
	for o := a.open.head; o != nil && over(); o = o.lru.next {
		for over() {
			if !a.skipAhead(o, ClientToServer) && !a.skipAhead(o, ServerToClient) {
				break
			}
		}
	}
}

// skipAhead reports the hole before direction d's first buffered chunk as a
// gap and delivers what follows it. It reports false if nothing is buffered.
func (a *Assembler) skipAhead(c *conn, d Direction) bool {
	h := &c.half[d]
	first, ok := h.ooo.Min()
	if !ok {
		return false
	}
	a.gap(c, d, first.off-h.next, gapBufferLimit)
	h.snapped = false
	a.drain(c, d)
	a.checkFIN(c, d)
	return true
}

// checkFIN marks direction d done once delivered up to its FIN, and closes
// the connection when both are.
func (a *Assembler) checkFIN(c *conn, d Direction) {
	h := &c.half[d]
	if c.closed || !h.fin || h.done {
		return
	}
	if h.finOff >= 0 && h.next < h.finOff {
		return
	}
	h.done = true
	if c.half[d.Reverse()].done {
		a.closeConn(c, reasonFIN)
	}
}

// closeConn delivers what is buffered, reporting the holes as gaps, closes
// the stream and replaces the connection by a tombstone, which it returns
// (nil if c was closed already).
func (a *Assembler) closeConn(c *conn, reason string) *tomb {
	if c.closed {
		return nil
	}
	if c.stream != nil {
		for d := ClientToServer; d <= ServerToClient; d++ {
			h := &c.half[d]
			for first, ok := h.ooo.Min(); ok; first, ok = h.ooo.Min() {
				a.gap(c, d, first.off-h.next, gapNotCaptured)
				a.drain(c, d)
			}
			if h.fin && h.finOff > h.next {
				a.gap(c, d, h.finOff-h.next, gapNotCaptured)
			}
		}
		c.stream.Close(reason)
	} else {
		for d := range c.half {
			c.half[d].ooo.each(func(ch chunk) bool {
				a.unbuffer(c, len(ch.data))
				return true
			})
		}
	}
	c.half = [2]half{}
	c.stream = nil
	c.closed = true
	a.open.remove(c)
	delete(a.conns, c.key)
	t := &tomb{key: c.key, lastSeen: c.lastSeen.UnixNano()}
	a.tombs[c.key] = t
	a.dead.pushBack(t)
	return t
}

// Flush ends the capture: every open connection delivers what it can,
// reports its remaining holes as gaps and is closed with reason
// "end of capture", in order of first appearance. The Assembler can be
// reused afterwards.
func (a *Assembler) Flush() {
	var open []*conn
	for c := a.open.head; c != nil; c = c.lru.next {
		open = append(open, c)
	}
	slices.SortFunc(open, func(x, y *conn) int { return x.info.Index - y.info.Index })
	for _, c := range open {
		a.closeConn(c, reasonEnd)
	}
	a.conns = make(map[connKey]*conn)
	a.tombs = make(map[connKey]*tomb)
	a.open, a.dead, a.n = lruList[conn, *conn]{}, lruList[tomb, *tomb]{}, 0
}
