package decrypt

import (
	"slices"
	"time"

	"github.com/wxaudit/wxaudit/business"
	"github.com/wxaudit/wxaudit/link"
	"github.com/wxaudit/wxaudit/mmtls"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/reassemble"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// maxClassifyBytes bounds what is buffered before the client's first bytes
// tell the link kind.
const maxClassifyBytes = 64 << 10

// closeIdle is the reason reassemble.Stream.Close gives for a connection
// closed after the idle timeout.
const closeIdle = "timeout"

// conn follows one TCP connection: it classifies it, frames both
// directions, opens records, and hands application data to the business
// layer (business.go).
type conn struct {
	d    *decrypter
	info reassemble.Conn

	kind       link.Kind
	classified bool
	early      [2]earlyData // data seen before classification, by direction

	half   [2]*half // nil until classified and after Close
	halves [2]half  // storage of half, one allocation with the conn

	// names are the connection's endpoints as "addr:port", formatted once
	// for all its payloads.
	names payload.Conn

	// sess follows the key schedule when the key log has connection
	// secrets (nil otherwise).
	sess *mmtls.Session

	// Shortlink request metadata, set when the request envelope is parsed
	// and used to name the response.
	uri, host    string
	reqType      int
	heldResponse *heldMessage // a response that arrived before its request
	// The flags sit together: with padding after one of them the conn
	// took the next allocation size class (1152 bytes, not 1024).
	requestSeen bool // the Shortlink request envelope was opened
	closing     bool
	sawData     bool
	closed      bool
	presentsPSK bool // the ClientHello presented a psk.key ticket (psk.go)
	// jobs counts the conn's jobs not yet committed (order.go): a conn
	// whose Close has returned is reused once none is left.
	jobs    int
	retired bool // Close has done its work
}

// earlyData holds copies of bytes delivered before the link kind is known.
type earlyData struct {
	chunks []earlyChunk
	n      int
}

type earlyChunk struct {
	offset int64
	data   []byte
	segs   []reassemble.Segment
}

func newConn(d *decrypter, info reassemble.Conn) *conn {
	var c *conn
	if n := len(d.freeConns); n > 0 {
		c = d.freeConns[n-1]
		d.freeConns = d.freeConns[:n-1]
		*c = conn{d: d, info: info}
	} else {
		c = &conn{d: d, info: info}
	}
	if d.keys != nil && d.hasSecrets {
		c.sess = mmtls.NewSession(d.lookupSecrets, d.tickets)
	}
	if d.live != nil {
		d.live.track(c)
	}
	return c
}

// progress retries records that wait for a key (a key learned on one
// direction, or a handshake message, may open them) and delivers what is
// ready, on both directions.
func (c *conn) progress() {
	for _, h := range c.half {
		h.retryPending()
		h.deliver()
	}
}

// Data implements reassemble.Stream.
func (c *conn) Data(dir reassemble.Direction, offset int64, data []byte, segs []reassemble.Segment) {
	if len(data) == 0 {
		return
	}
	c.sawData = true
	if !c.classified && dir == reassemble.ClientToServer && c.early[0].n == 0 && c.early[1].n == 0 {
		// The client's first segment nearly always decides the kind:
		// frame it in place instead of copying it aside.
		if kind, more := link.Classify(data); !more {
			c.setKind(kind)
			c.half[dir].write(offset, data, segs)
			return
		}
	}
	if !c.classified {
		e := &c.early[dir]
		e.chunks = append(e.chunks, earlyChunk{offset: offset, data: append([]byte(nil), data...), segs: append([]reassemble.Segment(nil), segs...)})
		e.n += len(data)
		c.tryClassify(false)
		return
	}
	c.half[dir].write(offset, data, segs)
}

// Gap implements reassemble.Stream.
func (c *conn) Gap(dir reassemble.Direction, n int64, reason string) {
	if !c.classified {
		// A gap before the first client bytes: classify on what we have.
		c.tryClassify(true)
	}
	c.half[dir].gap(n)
}

// Close implements reassemble.Stream.
func (c *conn) Close(reason string) {
	if c.closed || c.d.live != nil && c.d.live.park(c) {
		return
	}
	c.closed = true
	if !c.classified {
		c.tryClassify(true)
	}
	for _, h := range c.half {
		h.close()
	}
	c.flushBusiness()
	// The reassembler may remember a closed connection for a while (late
	// retransmissions); drop everything but the counts now.
	c.half = [2]*half{}
	c.halves = [2]half{}
	c.sess = nil
	st := c.d.stats
	st.Connections++
	if reason == closeIdle {
		st.ConnectionsIdle++
	}
	if !c.sawData {
		st.ConnectionsByLink[link.KindEmpty.String()]++
	} else {
		st.ConnectionsByLink[c.kind.String()]++
	}
	c.retired = true
	c.reuseIfDone()
}

// reuseIfDone puts a retired conn whose jobs are all committed on the
// decrypter's free list: the reassembler never calls a closed Stream
// again, and a run opens a conn per TCP connection (a fifth of what it
// allocated on the replicated capture). Live runs keep closed conns
// (live.go), so they are not reused there.
func (c *conn) reuseIfDone() {
	if !c.retired || c.jobs > 0 || c.d.live != nil {
		return
	}
	d := c.d
	*c = conn{}
	d.freeConns = append(d.freeConns, c)
}

// tryClassify decides the link kind from the client's first bytes. With
// final set, it decides on whatever is there.
func (c *conn) tryClassify(final bool) {
	var prefix []byte
	for _, ch := range c.early[reassemble.ClientToServer].chunks {
		prefix = append(prefix, ch.data...)
		if len(prefix) >= 64 {
			break
		}
	}
	kind, more := link.Classify(prefix)
	if more && !final && c.early[0].n+c.early[1].n < maxClassifyBytes {
		return
	}
	c.setKind(kind)
	for dir, e := range c.early {
		for _, ch := range e.chunks {
			c.half[dir].write(ch.offset, ch.data, ch.segs)
		}
	}
	c.early = [2]earlyData{}
}

// setKind classifies the connection and sets up its two directions.
func (c *conn) setKind(kind link.Kind) {
	c.kind = kind
	c.classified = true
	for dir := range c.halves {
		c.halves[dir] = half{c: c, dir: reassemble.Direction(dir), framer: *link.NewFramer(kind, dir == int(reassemble.ClientToServer))}
		c.half[dir] = &c.halves[dir]
	}
}

// half is one direction of a connection.
type half struct {
	c      *conn
	dir    reassemble.Direction
	framer link.Framer
	segs   []reassemble.Segment // segments covering the framer's buffered bytes, in order
	seq    uint64               // sequence number of the next record
	keys   keyState
	queue  []record // records awaiting a key or delivery, in sequence order
	frames []int64  // scratch for the frames of one record, see onFrame

	// Application data collected for the business layer.
	app       []byte
	appFrames []int64
	appTime   time.Time
	appSeq    uint64
	appRecs   int
	lost      bool                    // a record of the current message could not be opened
	overflow  bool                    // the current Shortlink message passed maxShortlinkMessage
	ll        business.LonglinkReader // Longlink packets across records
}

// record is a framed MMTLS record on its way to delivery.
type record struct {
	seq     uint64
	typ     mmtls.RecordType
	raw     []byte // the whole record; kept only while it waits for a key
	plain   []byte // decrypted body (encrypted records) or nil
	pending bool
	failed  bool
	length  int // body length on the wire
	frames  []int64
	time    time.Time
}

func (h *half) write(offset int64, data []byte, segs []reassemble.Segment) {
	h.segs = append(h.segs, segs...)
	h.framer.Write(offset, data)
	h.drain()
}

func (h *half) gap(n int64) {
	if u, ok := h.framer.Gap(n); ok {
		h.onFrame(u)
	}
	h.drain()
}

func (h *half) close() {
	h.drain()
	if u, ok := h.framer.Close(); ok {
		h.onFrame(u)
	}
	h.giveUpPending()
	h.deliver()
}

func (h *half) drain() {
	for {
		u, ok := h.framer.Next()
		if !ok {
			return
		}
		h.onFrame(u)
	}
}

// span appends the frames of stream bytes [off, off+n) to frames and
// returns them with the time of the last, and drops segment records that
// end before off+n.
func (h *half) span(frames []int64, off, n int64) ([]int64, time.Time) {
	var t time.Time
	end := off + n
	keep := 0
	for i, s := range h.segs {
		sEnd := s.Offset + int64(s.Len)
		if sEnd > off && s.Offset < end {
			if len(frames) == 0 || frames[len(frames)-1] != s.Frame {
				frames = append(frames, s.Frame)
			}
			t = s.Time
		}
		if sEnd <= end {
			keep = i + 1
		}
	}
	h.segs = append(h.segs[:0], h.segs[keep:]...)
	return frames, t
}

func (h *half) onFrame(u link.Frame) {
	st := h.c.d.stats
	if u.Kind == link.FrameRecord || u.Kind == link.FrameSkip {
		// A record's frames are collected in scratch: record copies them
		// if the record has to wait (and OnRecord may keep them).
		var frames []int64
		if h.c.d.opts.OnRecord == nil {
			frames = h.frames[:0]
		}
		frames, t := h.span(frames, u.Offset, u.Len)
		if h.c.d.opts.OnRecord == nil {
			h.frames = frames[:0]
		}
		if u.Kind == link.FrameSkip {
			st.SkippedBytes[skipReason(u.Err)] += u.Len
			return
		}
		h.record(u.Data, frames, t)
		return
	}
	frames, t := h.span(nil, u.Offset, u.Len)
	switch u.Kind {
	case link.FrameHead:
		h.c.head(h, u.Head, frames, t)
	case link.FrameBody:
		h.c.body(h, u.Data, frames, t)
	}
}

func skipReason(err error) string {
	switch err {
	case link.ErrGap:
		return taxonomy.ReasonGap
	case link.ErrTruncated:
		return taxonomy.ReasonTruncated
	case link.ErrNotRecord:
		return taxonomy.ReasonNotRecord
	case link.ErrUnrecognized:
		return taxonomy.ReasonUnrecognized
	}
	return taxonomy.ReasonHTTPMalformed
}

func (h *half) record(b []byte, frames []int64, t time.Time) {
	st := h.c.d.stats
	rec, _, err := mmtls.ParseRecord(b)
	if err != nil {
		// The framer only returns whole records of known types.
		st.RecordsNotDecrypted[taxonomy.ReasonUnknownType]++
		return
	}
	seq := h.seq
	h.seq++
	st.Records++
	st.RecordsByType[recordTypeName(rec.Type)]++
	if len(frames) > 1 {
		st.RecordsMultiSegment++
	}
	r := record{seq: seq, typ: rec.Type, frames: frames, time: t, length: len(rec.Body)}
	if mmtls.IsPlaintext(rec) {
		st.RecordsPlaintext++
		h.trace(&r, statePlaintext, "", rec.Body)
		h.c.plaintextHandshake(h, seq, rec)
		h.enqueue(r)
		return
	}
	st.RecordsEncrypted++
	if plain, ok := h.open(seq, rec, true); ok {
		r.plain = plain
		st.RecordsDecrypted++
		h.trace(&r, stateDecrypted, "", plain)
		h.enqueue(r)
		return
	}
	r.frames = slices.Clone(frames)
	if h.pendingCount() >= h.c.d.opts.maxPending() {
		r.failed = true
		st.RecordsNotDecrypted[taxonomy.ReasonPendingLimit]++
		h.trace(&r, stateFailed, taxonomy.ReasonPendingLimit, nil)
		h.queue = append(h.queue, r)
		h.deliver()
		return
	}
	r.pending = true
	r.raw = append([]byte(nil), b...)
	h.queue = append(h.queue, r)
}

// enqueue queues a record whose frames and plaintext may alias scratch
// buffers (h.frames, the decrypter's plaintext scratch) and delivers what
// is ready. Records usually go straight through; one that must wait behind
// a record still pending gets copies. Nothing decrypts into the scratch
// before that: retryPending opens into new slices.
func (h *half) enqueue(r record) {
	h.queue = append(h.queue, r)
	h.c.progress()
	if n := len(h.queue); n > 0 && h.queue[n-1].seq == r.seq {
		q := &h.queue[n-1]
		q.frames = slices.Clone(q.frames)
		if q.plain != nil {
			q.plain = append([]byte{}, q.plain...)
		}
	}
}

func recordTypeName(t mmtls.RecordType) string {
	switch t {
	case 0x15:
		return "0x15 alert"
	case 0x16:
		return "0x16 handshake"
	case 0x17:
		return "0x17 application data"
	case 0x19:
		return "0x19 0-rtt handshake"
	}
	return t.String()
}

func (h *half) pendingCount() int {
	n := 0
	for _, r := range h.queue {
		if r.pending {
			n++
		}
	}
	return n
}

// retryPending tries the keys known now on records that waited for one.
func (h *half) retryPending() {
	for i := range h.queue {
		r := &h.queue[i]
		if !r.pending {
			continue
		}
		rec, _, err := mmtls.ParseRecord(r.raw)
		if err != nil {
			continue
		}
		if plain, ok := h.open(r.seq, rec, false); ok {
			r.plain, r.raw, r.pending = plain, nil, false
			h.c.d.stats.RecordsDecrypted++
			h.trace(r, stateDecrypted, "", plain)
		}
	}
}

// giveUpPending marks records still waiting at the end as not decrypted,
// with the reason of their last attempt.
func (h *half) giveUpPending() {
	for i := range h.queue {
		if r := &h.queue[i]; r.pending {
			r.pending, r.failed, r.raw = false, true, nil
			h.c.d.stats.RecordsNotDecrypted[h.keys.failReason()]++
			h.trace(r, stateFailed, h.keys.failReason(), nil)
		}
	}
}

// deliver hands decrypted records to the business layer in sequence order,
// stopping at the first record that still waits for a key.
func (h *half) deliver() {
	i := 0
	for ; i < len(h.queue); i++ {
		r := &h.queue[i]
		if r.pending {
			break
		}
		switch {
		case r.failed && r.typ == mmtls.RecordType(0x17):
			h.c.lostAppData(h)
		case r.plain != nil && r.typ == mmtls.RecordType(0x17):
			h.c.d.stats.AppData++
			h.c.appData(h, r)
		case r.typ == mmtls.RecordType(0x15):
			// An alert ends a Shortlink message (doc/protocol.md §3).
			h.c.endOfMessage(h)
		}
	}
	n := copy(h.queue, h.queue[i:])
	clear(h.queue[n:]) // drop the delivered records' buffers
	h.queue = h.queue[:n]
}
