// This file weighs the hypotheses for a length-delimited value: message,
// text, packed scalars, compressed stream, opaque bytes. See doc/protocol.md,
// section 6 ("Strings inside payloads often hold JSON, XML, …").

package schemaless

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"io"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// hypothesis is one candidate reading of a byte string. Its reason is
// only formatted when it is shown (see reasonString), since most
// hypotheses lose without a trace.
type hypothesis struct {
	kind  Kind
	score float64
	// Inputs of the reason, by kind: message (a fields, b max field
	// number), string (text), packed (a varints), opaque (f entropy).
	a, b int
	f    float64
	text textInfo
}

// reasonString formats h's reason (into d's string arena).
func (h *hypothesis) reasonString(d *decoder) string {
	d.strSpace(96)
	m := len(d.strArena)
	a := d.strArena
	switch h.kind {
	case KindMessage:
		a = strconv.AppendInt(a, int64(h.a), 10)
		a = append(a, " fields, max field "...)
		a = strconv.AppendInt(a, int64(h.b), 10)
	case KindString:
		a = append(a, "utf-8, "...)
		a = strconv.AppendInt(a, int64(h.text.ratio*100), 10)
		a = append(a, "% printable"...)
		if h.text.nonASCII {
			a = append(a, ", non-ascii"...)
		}
	case KindPacked:
		a = strconv.AppendInt(a, int64(h.a), 10)
		a = append(a, " varints"...)
	case KindOpaque:
		a = append(a, "high entropy ("...)
		a = strconv.AppendFloat(a, h.f, 'f', 2, 64)
		a = append(a, " bits/byte), no structure: encrypted, compressed or random"...)
	default:
		return "no structured reading fits"
	}
	if cap(a) != cap(d.strArena) {
		// Did not fit the reserved space (it always does): keep a copy.
		return string(a[m:])
	}
	d.strArena = a
	return d.finishStr(m)
}

// interpretBytes decides what the bytes b of a length-delimited value (or
// the whole input, when top) are and fills n accordingly. base is b's offset
// in the buffer n.Span refers to; chain is the interpretation so far.
func (d *decoder) interpretBytes(n *Node, b []byte, base, depth int, derived bool, chain []Kind, top bool) {
	if depth > d.opts.MaxDepth {
		d.asBytes(n, b, chain, "depth budget exhausted")
		d.hit(n, budgetDepth)
		return
	}
	if d.work > d.opts.MaxWork {
		d.asBytes(n, b, chain, "work budget exhausted")
		d.hit(n, budgetWork)
		return
	}
	if len(b) == 0 {
		n.Kind, n.Chain, n.Confidence = KindString, d.appendKind(chain, KindString), 0.5
		n.Alternatives = []Alternative{{Kind: KindMessage, Confidence: 0.3, Reason: "empty message"}, {Kind: KindBytes, Confidence: 0.2}}
		return
	}

	// Compressed streams announce themselves with a checked header.
	if !d.opts.NoNested {
		if kind, ok := compressedHeader(b); ok {
			out, err := d.inflate(b, kind)
			switch {
			case err == errInflateBudget:
				d.asBytes(n, b, chain, "zlib stream exceeds the inflate budget")
				n.Alternatives = []Alternative{{Kind: KindZlib, Confidence: 0.9, Reason: "valid header, not inflated"}}
				d.hit(n, budgetInflated)
				return
			case err == nil:
				n.Hints = append(n.Hints, "inflated="+strconv.Itoa(len(out)))
				d.interpretBytes(n, out, 0, depth+1, true, d.appendKind(d.appendKind(chain, KindBytes), KindZlib), top)
				if n.Kind == KindBytes || n.Kind == KindOpaque {
					// Keep the zlib as the visible kind: the inflated bytes are what is shown.
					n.Confidence = 0.9
				}
				return
			}
			// A header that does not inflate is just bytes that happen to
			// start with 0x78; fall through.
		}
	}

	mark := len(d.fields)
	defer d.popFields(mark)
	sc := d.scan(b)
	var hypBuf [5]hypothesis
	hyps := hypBuf[:0]
	ms := d.messageScore(b, sc)
	ti := textScore(b)
	ts := ti.score
	d.work += len(b)
	if ts > 0.8 && ms > 0 {
		// Printable text that also parses as a message is much more
		// often text: printable bytes form valid tags only by accident.
		ms -= 0.4
	}
	if top && ms > 0 {
		// Request bodies are messages.
		ms += 0.2
	}
	if ms > 0 {
		hyps = append(hyps, hypothesis{kind: KindMessage, score: ms, a: len(sc.fields), b: int(sc.maxNum)})
	}
	if ts > 0 {
		hyps = append(hyps, hypothesis{kind: KindString, score: ts, text: ti})
	}
	// Entropy only matters when no structured reading is convincing.
	high, ent := false, 0.0
	if ms < 0.6 && ts < 0.6 {
		high, ent = highEntropy(b)
	}
	cnt, packed := packedVarints(b)
	if packed && cnt >= 2 {
		s := 0.45
		if high {
			s = 0.2
		}
		hyps = append(hyps, hypothesis{kind: KindPacked, score: s, a: cnt})
	}
	if high {
		hyps = append(hyps, hypothesis{kind: KindOpaque, score: 0.6, f: ent})
	}
	hyps = append(hyps, hypothesis{kind: KindBytes, score: 0.15})
	// Stable insertion sort by descending score: at most five entries.
	for i := 1; i < len(hyps); i++ {
		for j := i; j > 0 && hyps[j].score > hyps[j-1].score; j-- {
			hyps[j], hyps[j-1] = hyps[j-1], hyps[j]
		}
	}

	win := &hyps[0]
	n.Confidence = round2(clamp01(win.score))
	alts := 0
	for i := 1; i < len(hyps); i++ {
		if hyps[i].score >= 0.1 && hyps[i].kind != KindBytes {
			alts++
		}
	}
	if alts > 0 && n.Alternatives == nil {
		n.Alternatives = d.alternatives(alts)
	}
	for i := 1; i < len(hyps); i++ {
		h := &hyps[i]
		if h.score >= 0.1 && h.kind != KindBytes {
			n.Alternatives = append(n.Alternatives, Alternative{Kind: h.kind, Confidence: round2(clamp01(h.score)), Reason: h.reasonString(d)})
		}
	}
	switch win.kind {
	case KindMessage:
		n.Kind, n.Chain = KindMessage, d.appendKind(chain, KindMessage)
		d.fillMessage(n, b, sc, n.Path, depth, derived, base)
	case KindString:
		d.interpretText(n, d.str(b), base, depth, derived, d.appendKind(chain, KindString), true)
		if len(b) > 0 && b[len(b)-1] == 0 {
			n.Hints = append(n.Hints, "nul-terminated")
		}
	case KindPacked:
		n.Kind, n.Chain = KindPacked, d.appendKind(chain, KindPacked)
		d.fillPacked(n, b, base, derived, cnt)
	case KindOpaque:
		n.Kind, n.Chain, n.Bytes, n.Reason = KindOpaque, d.appendKind(chain, KindOpaque), b, win.reasonString(d)
	default:
		n.Kind, n.Chain, n.Bytes, n.Reason = KindBytes, d.appendKind(chain, KindBytes), b, win.reasonString(d)
	}
}

// asBytes makes n a bytes node holding b.
func (d *decoder) asBytes(n *Node, b []byte, chain []Kind, reason string) {
	n.Kind, n.Chain, n.Bytes, n.Reason, n.Children = KindBytes, d.appendKind(chain, KindBytes), b, reason, nil
}

// fillPacked splits b into varint elements.
func (d *decoder) fillPacked(n *Node, b []byte, base int, derived bool, cnt int) {
	n.Children = d.children(max(0, min(cnt, d.opts.MaxNodes-d.nodes+1)))
	off := 0
	for i := 0; off < len(b); i++ {
		v, m := protowire.ConsumeVarint(b[off:])
		if m < 0 {
			return
		}
		if d.nodes >= d.opts.MaxNodes {
			d.hit(n, budgetNodes)
			n.Bytes = b
			n.Reason = "node budget exhausted after " + strconv.Itoa(i) + " elements"
			return
		}
		d.nodes++
		c := d.newNode()
		c.Field, c.Index, c.Path, c.Wire, c.Span, c.Derived = n.Field, i, n.Path, WireNone, Span{base + off, m}, derived
		c.Kind, c.Chain, c.Confidence, c.Uint, c.Hints = KindVarint, d.chain1(KindVarint), n.Confidence, v, d.varintHints(v, m)
		n.Children = append(n.Children, c)
		off += m
	}
}

// packedVarints reports whether b is a sequence of minimal varints (as
// protowire.ConsumeVarint reads them, with no padding bytes).
func packedVarints(b []byte) (int, bool) {
	cnt, l := 0, 0
	for i := 0; i < len(b); {
		// Eight one-byte varints at a time: text and small numbers.
		if l == 0 && len(b)-i >= 8 && binary.LittleEndian.Uint64(b[i:])&highBits == 0 {
			cnt += 8
			i += 8
			continue
		}
		c := b[i]
		i++
		l++
		if c >= 0x80 {
			if l == 10 {
				return cnt, false // overflows 64 bits
			}
			continue
		}
		// The last byte of a minimal multi-byte varint is non-zero; the
		// tenth may only hold the top bit.
		if l > 1 && c == 0 || l == 10 && c > 1 {
			return cnt, false
		}
		cnt++
		l = 0
	}
	return cnt, l == 0
}

type inflateError string

func (e inflateError) Error() string { return string(e) }

const errInflateBudget = inflateError("schemaless: inflate budget exhausted")

// inflate decompresses b within the remaining inflate budget.
func (d *decoder) inflate(b []byte, kind Kind) ([]byte, error) {
	var r io.ReadCloser
	var err error
	if kind == KindZlib {
		r, err = getZlib(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		defer putZlib(r)
	} else {
		r, err = gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		defer r.Close()
	}
	left := d.opts.MaxInflated - d.inflated
	if left < 0 {
		left = 0
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(left)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > left {
		return nil, errInflateBudget
	}
	d.inflated += len(out)
	d.work += len(out)
	return out, nil
}
