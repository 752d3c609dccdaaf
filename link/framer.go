package link

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http/httputil"
	"strconv"
	"sync"
)

// Limits that bound a Framer's buffer.
const (
	// maxHeadLen bounds an HTTP head (request or status line plus headers).
	maxHeadLen = 16 << 10
	// maxBodyLen bounds a buffered non-MMTLS HTTP body (chunked or
	// delivered whole); longer bodies are skipped and reported.
	maxBodyLen = 1 << 20
	// recordHeaderLen and maxRecordLen frame MMTLS records (doc/protocol.md §2):
	// type u8, version u16, length u16.
	recordHeaderLen = 5
	maxRecordLen    = recordHeaderLen + 0xFFFF
)

// FrameKind says what a Frame holds.
type FrameKind uint8

const (
	FrameHead   FrameKind = iota + 1 // an HTTP request or response head
	FrameRecord                      // one whole MMTLS record (header and body)
	FrameBody                        // a whole non-MMTLS HTTP body
	FrameSkip                        // bytes that could not be framed; Err says why
)

func (k FrameKind) String() string {
	switch k {
	case FrameHead:
		return "head"
	case FrameRecord:
		return "record"
	case FrameBody:
		return "body"
	case FrameSkip:
		return "skip"
	}
	return "unit(" + strconv.Itoa(int(k)) + ")"
}

// Head is a parsed HTTP head: the fields wxaudit reads.
type Head struct {
	Request bool
	Method  string // request only
	Target  string // request only: the request target as sent
	Status  int    // response only
	Proto   string
	Host    string
	// BodyLen is the Content-Length, or -1 when the body runs to the end of
	// the stream or is chunked (Chunked).
	BodyLen int64
	Chunked bool
}

// Frame is one framed piece of a direction's stream.
type Frame struct {
	Kind   FrameKind
	Offset int64  // stream offset of Data[0]
	Len    int64  // stream bytes the frame covers (for FrameSkip, may exceed len(Data))
	Data   []byte // valid until the next call to the Framer; copy to keep
	Head   *Head  // FrameHead only
	Err    error  // FrameSkip only: why the bytes were skipped
}

// Errors a FrameSkip carries.
var (
	errBadHead       = errors.New("link: malformed http head")
	errHeadTooLong   = errors.New("link: http head too long")
	errBodyTooLong   = errors.New("link: http body too long")
	ErrNotRecord     = errors.New("link: bytes are not an mmtls record")
	ErrGap           = errors.New("link: bytes missing from the capture")
	ErrTruncated     = errors.New("link: stream ended inside a unit")
	ErrUnrecognized  = errors.New("link: unrecognized protocol")
	errNeedMoreBytes = errors.New("link: need more bytes")
)

type framerState uint8

const (
	stateHead    framerState = iota // expecting an HTTP head
	stateRecords                    // expecting MMTLS records (until bodyLeft hits 0 if bounded)
	stateBody                       // expecting a non-MMTLS body
	stateRaw                        // unrecognized: skip everything
)

// Framer frames one direction of a connection. Feed bytes in stream order
// with Write (and Gap for missing bytes), and drain Units with Next after
// each Write. The zero Framer is not usable; use NewFramer.
type Framer struct {
	kind    Kind
	request bool // true for the client-to-server direction

	state    framerState
	store    []byte  // backing array reused across frames; nil while idle (see release)
	box      *[]byte // holds store when it goes back to the pool
	buf      []byte  // unconsumed bytes, a view into store; buf[0] is at stream offset base
	base     int64
	bodyLeft int64 // bytes left in the current HTTP body; -1 = until end
	chunked  bool
	mmtls    bool // the current HTTP body holds MMTLS records
	resync   bool // after a gap: look for the next record header
}

// NewFramer returns a Framer for one direction of a connection of the
// given kind. request is true for the client-to-server direction.
func NewFramer(kind Kind, request bool) *Framer {
	f := &Framer{kind: kind, request: request}
	switch kind {
	case KindShortlink, KindHTTP:
		f.state = stateHead
	case KindLonglink:
		f.state = stateRecords
		f.bodyLeft = -1
		f.mmtls = true
	default:
		f.state = stateRaw
	}
	return f
}

// Write appends in-order stream bytes starting at offset. b is copied.
func (f *Framer) Write(offset int64, b []byte) {
	if len(f.buf) == 0 {
		f.base = offset
		if f.store == nil && len(b) > 0 {
			f.acquire()
		}
		f.buf = f.store[:0]
	} else if len(f.buf)+len(b) > cap(f.buf) && len(f.buf) <= cap(f.store)/2 {
		// Move the unconsumed bytes to the front of the store instead of
		// growing it, so the buffer stays as large as one frame.
		n := copy(f.store[:cap(f.store)], f.buf)
		f.buf = f.store[:n]
	}
	prevCap := cap(f.buf)
	f.buf = append(f.buf, b...)
	if cap(f.buf) != prevCap {
		f.store = f.buf[:0] // reallocated: the view starts the new array
	}
}

// Framer buffers are pooled between uses: a connection that waits between
// messages (a Longlink, an idle Shortlink) holds no buffer, and a new
// connection starts with a buffer already grown to a typical frame instead
// of growing one by appends. Buffers above maxPooledStore (long HTTP
// bodies) are left to the garbage collector rather than kept.
const maxPooledStore = maxRecordLen + 1

var stores sync.Pool

// acquire takes a buffer from the pool, if it has one.
func (f *Framer) acquire() {
	if box, ok := stores.Get().(*[]byte); ok {
		f.store, f.box = (*box)[:0], box
	}
}

// release returns the buffer to the pool once every frame has been
// consumed. It is called only from Next when it has nothing to return, so
// no Frame.Data handed out earlier is still valid (they are valid until the
// next call to the Framer).
func (f *Framer) release() {
	if len(f.buf) != 0 || f.store == nil {
		return
	}
	if cap(f.store) <= maxPooledStore {
		box := f.box
		if box == nil {
			box = new([]byte)
		}
		*box = f.store[:0]
		stores.Put(box)
	}
	f.store, f.buf, f.box = nil, nil, nil
}

// Gap reports that n bytes (n < 0: unknown) are missing at the current end
// of the stream. The buffered partial frame is returned as a skip, and
// framing resumes at the next plausible record header.
func (f *Framer) Gap(n int64) (skipped Frame, ok bool) {
	if len(f.buf) > 0 {
		skipped = Frame{Kind: FrameSkip, Offset: f.base, Len: int64(len(f.buf)), Data: f.buf, Err: ErrGap}
		ok = true
	}
	f.base += int64(len(f.buf))
	if n > 0 {
		f.base += n
	}
	f.buf = f.buf[:0]
	if f.state == stateRecords {
		if f.bodyLeft > 0 && n > 0 {
			f.bodyLeft = max(0, f.bodyLeft-n)
		}
		f.resync = true
	}
	return skipped, ok
}

// Close ends the stream and returns what is left as a truncated skip.
func (f *Framer) Close() (rest Frame, ok bool) {
	if len(f.buf) == 0 {
		return Frame{}, false
	}
	if f.state == stateBody && f.bodyLeft < 0 && !f.chunked {
		// A body delimited by the end of the stream is complete now.
		u := Frame{Kind: FrameBody, Offset: f.base, Len: int64(len(f.buf)), Data: f.buf}
		f.consume(len(f.buf))
		return u, true
	}
	u := Frame{Kind: FrameSkip, Offset: f.base, Len: int64(len(f.buf)), Data: f.buf, Err: ErrTruncated}
	if f.state == stateRaw {
		u.Err = ErrUnrecognized
	}
	f.base += int64(len(f.buf))
	f.buf = f.buf[:0]
	return u, true
}

// Next returns the next complete frame, or ok == false when more bytes are
// needed. The returned Data aliases the Framer's buffer.
func (f *Framer) Next() (u Frame, ok bool) {
	for len(f.buf) > 0 {
		switch f.state {
		case stateRaw:
			return Frame{}, false
		case stateHead:
			return f.nextHead()
		case stateBody:
			return f.nextBody()
		case stateRecords:
			if f.bodyLeft == 0 {
				f.state = stateHead
				continue
			}
			if f.resync {
				if u, ok := f.skipToRecord(); ok {
					return u, true
				}
				if f.resync {
					return Frame{}, false
				}
			}
			return f.nextRecord()
		}
	}
	f.release()
	return Frame{}, false
}

func (f *Framer) consume(n int) {
	f.buf = f.buf[n:]
	f.base += int64(n)
}

func (f *Framer) nextHead() (Frame, bool) {
	end := bytes.Index(f.buf, []byte("\r\n\r\n"))
	if end < 0 {
		if len(f.buf) > maxHeadLen {
			return f.skipAll(errHeadTooLong), true
		}
		return Frame{}, false
	}
	n := end + 4
	if n > maxHeadLen {
		return f.skipAll(errHeadTooLong), true
	}
	head, err := parseHead(f.buf[:n], f.request)
	if err != nil {
		return f.skipAll(fmt.Errorf("%w: %v", errBadHead, err)), true
	}
	u := Frame{Kind: FrameHead, Offset: f.base, Len: int64(n), Data: f.buf[:n], Head: head}
	f.consume(n)
	f.mmtls = f.kind == KindShortlink
	f.bodyLeft = head.BodyLen
	f.chunked = head.Chunked
	switch {
	case head.BodyLen == 0:
		f.state = stateHead
	case f.mmtls && !head.Chunked:
		f.state = stateRecords
	default:
		f.state = stateBody
	}
	return u, true
}

func (f *Framer) nextBody() (Frame, bool) {
	if f.chunked {
		body, n, err := dechunk(f.buf)
		if errors.Is(err, errNeedMoreBytes) {
			if len(f.buf) > maxBodyLen {
				return f.skipAll(errBodyTooLong), true
			}
			return Frame{}, false
		}
		if err != nil {
			return f.skipAll(fmt.Errorf("%w: chunked body: %v", errBadHead, err)), true
		}
		u := Frame{Kind: FrameBody, Offset: f.base, Len: int64(n), Data: body}
		f.consume(n)
		f.state = stateHead
		return u, true
	}
	if f.bodyLeft < 0 {
		// Until the end of the stream: deliver at Close.
		if len(f.buf) > maxBodyLen {
			return f.skipAll(errBodyTooLong), true
		}
		return Frame{}, false
	}
	if f.bodyLeft > maxBodyLen {
		return f.skipBody(), true
	}
	if int64(len(f.buf)) < f.bodyLeft {
		return Frame{}, false
	}
	n := int(f.bodyLeft)
	u := Frame{Kind: FrameBody, Offset: f.base, Len: int64(n), Data: f.buf[:n]}
	f.consume(n)
	f.state = stateHead
	return u, true
}

// skipBody skips an over-long body as it streams past.
func (f *Framer) skipBody() Frame {
	n := min(int64(len(f.buf)), f.bodyLeft)
	u := Frame{Kind: FrameSkip, Offset: f.base, Len: n, Data: f.buf[:n], Err: errBodyTooLong}
	f.consume(int(n))
	f.bodyLeft -= n
	if f.bodyLeft == 0 {
		f.state = stateHead
	}
	return u
}

func (f *Framer) nextRecord() (Frame, bool) {
	if f.bodyLeft >= 0 && f.bodyLeft < recordHeaderLen {
		// The body ends before a record header could: its tail is not a record.
		if int64(len(f.buf)) < f.bodyLeft {
			return Frame{}, false
		}
		n := int(f.bodyLeft)
		u := Frame{Kind: FrameSkip, Offset: f.base, Len: int64(n), Data: f.buf[:n], Err: ErrNotRecord}
		f.consume(n)
		f.bodyLeft = 0
		return u, true
	}
	if len(f.buf) < recordHeaderLen {
		return Frame{}, false
	}
	if !isRecordStart(f.buf) {
		f.resync = true
		if u, ok := f.skipToRecord(); ok {
			return u, true
		}
		return Frame{}, false
	}
	n := recordHeaderLen + int(binary.BigEndian.Uint16(f.buf[3:5]))
	if f.bodyLeft >= 0 && int64(n) > f.bodyLeft {
		// The record claims more than the HTTP body holds.
		m := int(min(f.bodyLeft, int64(len(f.buf))))
		u := Frame{Kind: FrameSkip, Offset: f.base, Len: int64(m), Data: f.buf[:m], Err: ErrNotRecord}
		f.consume(m)
		f.bodyLeft -= int64(m)
		return u, true
	}
	if len(f.buf) < n {
		return Frame{}, false
	}
	u := Frame{Kind: FrameRecord, Offset: f.base, Len: int64(n), Data: f.buf[:n]}
	f.consume(n)
	if f.bodyLeft > 0 {
		f.bodyLeft -= int64(n)
	}
	return u, true
}

// skipToRecord drops bytes up to the next plausible record header after a
// gap or garbage. It returns the skipped bytes as a frame when there were
// any; f.resync stays true while no header has been found.
func (f *Framer) skipToRecord() (Frame, bool) {
	limit := len(f.buf)
	if f.bodyLeft >= 0 {
		limit = int(min(int64(limit), f.bodyLeft))
	}
	i := 0
	for ; i < limit; i++ {
		if i+recordHeaderLen > len(f.buf) {
			break // cannot judge yet
		}
		if isRecordStart(f.buf[i:]) {
			f.resync = false
			break
		}
	}
	if i == 0 {
		return Frame{}, false
	}
	u := Frame{Kind: FrameSkip, Offset: f.base, Len: int64(i), Data: f.buf[:i], Err: ErrNotRecord}
	f.consume(i)
	if f.bodyLeft > 0 {
		f.bodyLeft -= int64(i)
	}
	return u, true
}

func (f *Framer) skipAll(err error) Frame {
	u := Frame{Kind: FrameSkip, Offset: f.base, Len: int64(len(f.buf)), Data: f.buf, Err: err}
	f.base += int64(len(f.buf))
	f.buf = f.buf[:0]
	f.state = stateRaw
	return u
}

// dechunk decodes a complete chunked body at the start of b and returns it
// with the number of bytes consumed, or errNeedMoreBytes.
func dechunk(b []byte) ([]byte, int, error) {
	// Find the terminating zero-length chunk and trailer end before
	// decoding, so an incomplete body is not mistaken for an error.
	end := bytes.Index(b, []byte("\r\n0\r\n"))
	if !bytes.HasPrefix(b, []byte("0\r\n")) && end < 0 {
		return nil, 0, errNeedMoreBytes
	}
	start := end + 2
	if bytes.HasPrefix(b, []byte("0\r\n")) {
		start = 0
	}
	tr := bytes.Index(b[start:], []byte("\r\n\r\n"))
	if tr < 0 {
		return nil, 0, errNeedMoreBytes
	}
	n := start + tr + 4
	body, err := io.ReadAll(io.LimitReader(httputil.NewChunkedReader(bytes.NewReader(b[:n])), maxBodyLen+1))
	if err != nil {
		return nil, 0, err
	}
	if len(body) > maxBodyLen {
		return nil, 0, errBodyTooLong
	}
	return body, n, nil
}
