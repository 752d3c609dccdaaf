// This file weighs the hypotheses for a length-delimited value: message,
// text, packed scalars, compressed stream, opaque bytes. See PROTOCOL.md,
// section 6 ("Strings inside payloads often hold JSON, XML, …").

package schemaless

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// hypothesis is one candidate reading of a byte string.
type hypothesis struct {
	kind   Kind
	score  float64
	reason string
}

// interpretBytes decides what the bytes b of a length-delimited value (or
// the whole input, when top) are and fills n accordingly. base is b's offset
// in the buffer n.Span refers to; chain is the interpretation so far.
func (d *decoder) interpretBytes(n *Node, b []byte, base, depth int, derived bool, chain []Kind, top bool) {
	if depth > d.opts.MaxDepth {
		d.asBytes(n, b, chain, "depth budget exhausted")
		d.hit(n, BudgetDepth)
		return
	}
	if d.work > d.opts.MaxWork {
		d.asBytes(n, b, chain, "work budget exhausted")
		d.hit(n, BudgetWork)
		return
	}
	if len(b) == 0 {
		n.Kind, n.Chain, n.Confidence = KindString, appendKind(chain, KindString), 0.5
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
				d.hit(n, BudgetInflated)
				return
			case err == nil:
				n.Hints = append(n.Hints, "inflated="+strconv.Itoa(len(out)))
				d.interpretBytes(n, out, 0, depth+1, true, appendKind(appendKind(chain, KindBytes), KindZlib), top)
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

	sc := d.scan(b)
	hyps := make([]hypothesis, 0, 5)
	ms := d.messageScore(b, sc)
	ts, tr := textScore(b)
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
		hyps = append(hyps, hypothesis{KindMessage, ms, strconv.Itoa(len(sc.fields)) + " fields, max field " + strconv.Itoa(int(sc.maxNum))})
	}
	if ts > 0 {
		hyps = append(hyps, hypothesis{KindString, ts, tr})
	}
	// Entropy only matters when no structured reading is convincing.
	high := ms < 0.6 && ts < 0.6 && isHighEntropy(b)
	if cnt, ok := packedVarints(b); ok && cnt >= 2 {
		s := 0.45
		if high {
			s = 0.2
		}
		hyps = append(hyps, hypothesis{KindPacked, s, strconv.Itoa(cnt) + " varints"})
	}
	if high {
		hyps = append(hyps, hypothesis{KindOpaque, 0.6, "high entropy (" + strconv.FormatFloat(entropy(b), 'f', 2, 64) + " bits/byte), no structure: encrypted, compressed or random"})
	}
	hyps = append(hyps, hypothesis{KindBytes, 0.15, "no structured reading fits"})
	sort.SliceStable(hyps, func(i, j int) bool { return hyps[i].score > hyps[j].score })

	win := hyps[0]
	n.Confidence = round2(clamp01(win.score))
	for _, h := range hyps[1:] {
		if h.score >= 0.1 && h.kind != KindBytes {
			n.Alternatives = append(n.Alternatives, Alternative{Kind: h.kind, Confidence: round2(clamp01(h.score)), Reason: h.reason})
		}
	}
	switch win.kind {
	case KindMessage:
		n.Kind, n.Chain = KindMessage, appendKind(chain, KindMessage)
		d.fillMessage(n, b, sc, n.Path, depth, derived, base)
	case KindString:
		d.interpretText(n, string(b), base, depth, derived, appendKind(chain, KindString))
		if len(b) > 0 && b[len(b)-1] == 0 {
			n.Hints = append(n.Hints, "nul-terminated")
		}
	case KindPacked:
		n.Kind, n.Chain = KindPacked, appendKind(chain, KindPacked)
		d.fillPacked(n, b, base, derived)
	case KindOpaque:
		n.Kind, n.Chain, n.Bytes, n.Reason = KindOpaque, appendKind(chain, KindOpaque), b, win.reason
	default:
		n.Kind, n.Chain, n.Bytes, n.Reason = KindBytes, appendKind(chain, KindBytes), b, win.reason
	}
}

// asBytes makes n a bytes node holding b.
func (d *decoder) asBytes(n *Node, b []byte, chain []Kind, reason string) {
	n.Kind, n.Chain, n.Bytes, n.Reason, n.Children = KindBytes, appendKind(chain, KindBytes), b, reason, nil
}

// appendKind returns chain+k without aliasing chain's backing array, since
// sibling nodes share chain prefixes.
func appendKind(chain []Kind, k Kind) []Kind {
	out := make([]Kind, len(chain), len(chain)+1)
	copy(out, chain)
	return append(out, k)
}

// fillPacked splits b into varint elements.
func (d *decoder) fillPacked(n *Node, b []byte, base int, derived bool) {
	off := 0
	for i := 0; off < len(b); i++ {
		v, m := protowire.ConsumeVarint(b[off:])
		if m < 0 {
			return
		}
		if d.nodes >= d.opts.MaxNodes {
			d.hit(n, BudgetNodes)
			n.Bytes = b
			n.Reason = "node budget exhausted after " + strconv.Itoa(i) + " elements"
			return
		}
		d.nodes++
		n.Children = append(n.Children, &Node{
			Field: n.Field, Index: i, Path: n.Path, Wire: WireNone, Span: Span{base + off, m}, Derived: derived,
			Kind: KindVarint, Chain: []Kind{KindVarint}, Confidence: n.Confidence, Uint: v, Hints: varintHints(v, m),
		})
		off += m
	}
}

// packedVarints reports whether b is a sequence of minimal varints.
func packedVarints(b []byte) (int, bool) {
	cnt := 0
	for off := 0; off < len(b); cnt++ {
		v, m := protowire.ConsumeVarint(b[off:])
		if m < 0 || protowire.SizeVarint(v) != m {
			return cnt, false
		}
		off += m
	}
	return cnt, true
}

// textScore rates b as human text in [0, 1] and says why. Valid UTF-8 is
// required (CJK counts as printable); trailing NULs, as in C strings such
// as the device id, are allowed.
func textScore(b []byte) (float64, string) {
	t := bytes.TrimRight(b, "\x00")
	if len(t) == 0 || !utf8.Valid(t) {
		return 0, ""
	}
	var total, printable, nonASCII int
	first := true
	lead := false
	for _, r := range string(t) {
		total++
		if r >= utf8.RuneSelf {
			nonASCII++
		}
		switch {
		case r == 0:
			return 0, ""
		case r == '\t' || r == '\n' || r == '\r':
			printable++
			if first {
				lead = true
			}
		case unicode.IsPrint(r):
			printable++
		default:
			if first {
				lead = true
			}
		}
		first = false
	}
	ratio := float64(printable) / float64(total)
	if ratio < 0.85 {
		return 0, ""
	}
	s := 0.95 - (1-ratio)*3
	if lead {
		// Text rarely starts with a control character; a nested message
		// starting with tag 0x0a (field 1, length-delimited) often does.
		s -= 0.4
	}
	reason := "utf-8, " + strconv.Itoa(int(ratio*100)) + "% printable"
	if nonASCII > 0 {
		reason += ", non-ascii"
	}
	return s, reason
}

// entropy returns the Shannon entropy of b in bits per byte.
func entropy(b []byte) float64 {
	var counts [256]int
	for _, c := range b {
		counts[c]++
	}
	h := 0.0
	n := float64(len(b))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}

// isHighEntropy reports whether b is long enough and close enough to the
// maximum entropy for its length to be encrypted, compressed or random.
func isHighEntropy(b []byte) bool {
	if len(b) < 16 {
		return false
	}
	max := math.Log2(float64(min(len(b), 256)))
	// For short strings even random bytes repeat a little, so the bound is
	// relative to the maximum reachable.
	return entropy(b) >= 0.87*max
}

// compressedHeader reports whether b starts with a valid zlib (RFC 1950)
// or gzip header.
func compressedHeader(b []byte) (Kind, bool) {
	if len(b) < 3 {
		return 0, false
	}
	if b[0] == 0x1f && b[1] == 0x8b && b[2] == 8 {
		return KindUnknown, true // gzip
	}
	cmf, flg := b[0], b[1]
	if cmf&0x0f != 8 || cmf>>4 > 7 || (uint16(cmf)<<8|uint16(flg))%31 != 0 || flg&0x20 != 0 {
		return 0, false
	}
	return KindZlib, true
}

type inflateError string

func (e inflateError) Error() string { return string(e) }

const errInflateBudget = inflateError("schemaless: inflate budget exhausted")

// inflate decompresses b within the remaining inflate budget.
func (d *decoder) inflate(b []byte, kind Kind) ([]byte, error) {
	var r io.ReadCloser
	var err error
	if kind == KindZlib {
		r, err = zlib.NewReader(bytes.NewReader(b))
	} else {
		r, err = gzip.NewReader(bytes.NewReader(b))
	}
	if err != nil {
		return nil, err
	}
	defer r.Close()
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

func clamp01(f float64) float64 { return math.Max(0, math.Min(1, f)) }

func round2(f float64) float64 { return math.Round(f*100) / 100 }
