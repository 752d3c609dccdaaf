// This file implements the schema-less protobuf decoder: it scans the wire
// format with protowire and, for every length-delimited value, weighs the
// hypotheses (message, text, packed scalars, compressed, opaque). See
// doc/protocol.md, section 6.

package schemaless

import (
	"math"
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// Options bounds and tunes Decode. The zero value selects the defaults.
type Options struct {
	// MaxDepth bounds the nesting of interpreted values (messages, groups,
	// transforms, JSON levels). Default 64.
	MaxDepth int
	// MaxNodes bounds the number of nodes in the tree. Default 200000.
	MaxNodes int
	// MaxWork bounds the bytes examined by all hypotheses together, so a
	// hostile input cannot make decoding quadratic. Default 4 MiB + 32×input.
	MaxWork int
	// MaxInflated bounds the bytes produced by zlib and base64 decoding
	// together. Default 16 MiB.
	MaxInflated int
	// NoNested disables the interpretation of strings (JSON, XML, query,
	// percent-encoding, base64, report lines) and of compressed bytes.
	NoNested bool
}

// Budget names, as reported in Node.Budget and Tree.Budgets.
const (
	budgetDepth    = "depth"
	budgetNodes    = "nodes"
	budgetWork     = "work"
	budgetInflated = "inflated"
)

// Default budgets.
const (
	DefaultMaxDepth    = 64
	DefaultMaxNodes    = 200000
	DefaultMaxInflated = 16 << 20
	defaultWorkBase    = 4 << 20
)

// maxFieldNumber is the largest valid protobuf field number.
const maxFieldNumber = 1<<29 - 1

type decoder struct {
	opts     Options
	nodes    int
	work     int
	inflated int
	budgets  []string

	// Scratch space, see arena.go.
	*scans
	nodeArena []Node
	nodeChunk int
	kindArena []Kind
	kindChunk int
	strArena  []byte
	strChunk  int
	ptrArena  []*Node
	ptrChunk  int
	altArena  []Alternative
	altChunk  int
	hintArena []string
}

// Decode interprets b as a protobuf message (or, failing that, as the most
// plausible other encoding) and returns the tree. It never fails: bytes that
// fit no hypothesis become a KindBytes or KindOpaque node with a Reason, and
// exhausted budgets are reported on the node where they ran out.
//
// The returned tree aliases b (Node.Bytes); copy b's contents to keep them.
func Decode(b []byte, opts Options) *Tree {
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = DefaultMaxDepth
	}
	if opts.MaxNodes <= 0 {
		opts.MaxNodes = DefaultMaxNodes
	}
	if opts.MaxWork <= 0 {
		opts.MaxWork = defaultWorkBase + 32*len(b)
	}
	if opts.MaxInflated <= 0 {
		opts.MaxInflated = DefaultMaxInflated
	}
	d := &decoder{opts: opts, scans: getScans()}
	defer putScans(d.scans)
	root := d.newNode()
	*root = Node{Wire: WireNone, Span: Span{0, len(b)}}
	d.nodes = 1
	d.interpretBytes(root, b, 0, 0, false, nil, true)
	stopped := len(b)
	if root.Kind == KindBytes || root.Kind == KindOpaque || root.Kind == KindPacked {
		sc := d.scan(b)
		stopped = sc.stop
		if sc.stop > 0 && len(sc.fields) > 0 && root.Budget == "" && !isHighEntropy(b) {
			// A message that breaks off: keep the fields that parsed and
			// the rest as bytes, so nothing is silently lost.
			*root = Node{Wire: WireNone, Span: root.Span, Kind: KindMessage, Chain: d.chain1(KindMessage), Confidence: 0.3,
				Reason: "protobuf parse stopped at offset " + strconv.Itoa(sc.stop) + ": " + sc.err}
			d.fillMessage(root, b, sc, "", 1, false, 0)
			d.nodes++
			rest := d.newNode()
			*rest = Node{Path: "$rest", Key: "$rest", Wire: WireNone, Span: Span{sc.stop, len(b) - sc.stop},
				Kind: KindBytes, Chain: d.chain1(KindBytes), Bytes: b[sc.stop:], Reason: "unparsed tail: " + sc.err}
			root.Children = append(root.Children, rest)
		}
	}
	return &Tree{Root: root, Size: len(b), Stopped: stopped, Nodes: d.nodes, Work: d.work, Inflated: d.inflated, Budgets: d.budgets}
}

// hit records a budget exhaustion on n.
func (d *decoder) hit(n *Node, budget string) {
	n.Budget = budget
	for _, b := range d.budgets {
		if b == budget {
			return
		}
	}
	d.budgets = append(d.budgets, budget)
}

// rawField is one field found by scan, before interpretation.
type rawField struct {
	num      protowire.Number
	typ      protowire.Type
	tagStart int // offset of the tag
	valStart int // offset of the value (after tag and length prefix)
	valEnd   int // end of the value (for groups: start of the end tag)
	end      int // end of the whole field (for groups: after the end tag)
	v        uint64
	index    int // occurrence among the fields with the same number; set by fillMessage
}

// scanResult is the structural reading of a buffer as a message.
type scanResult struct {
	fields   []rawField
	complete bool   // every byte consumed, no error
	stop     int    // offset where scanning stopped
	err      string // why it stopped early
	groups   int
	maxNum   protowire.Number
}

// maxScanFields bounds a single scan; beyond it the buffer is treated as
// not plausibly a message (MaxNodes would be exhausted anyway).
const maxScanFields = 1 << 16

// scan reads b as a sequence of fields without recursing into values. It
// costs O(len(b)) work. The fields are pushed on d.fields; the caller pops
// them (popFields) when done with the result.
func (d *decoder) scan(b []byte) (r scanResult) {
	d.work += len(b)
	mark := len(d.fields)
	defer func() { r.fields = d.fields[mark:len(d.fields):len(d.fields)] }()
	off := 0
	for off < len(b) {
		if len(d.fields)-mark >= maxScanFields {
			r.stop, r.err = off, "too many fields"
			return r
		}
		num, typ, n := protowire.ConsumeTag(b[off:])
		if n < 0 {
			r.stop, r.err = off, protowire.ParseError(n).Error()
			return r
		}
		if n != protowire.SizeVarint(protowire.EncodeTag(num, typ)) {
			// Encoders emit minimal tags; a padded one is evidence of
			// something else, and could not be re-encoded faithfully.
			r.stop, r.err = off, "non-minimal tag"
			return r
		}
		f := rawField{num: num, typ: typ, tagStart: off}
		p := off + n
		switch typ {
		case protowire.VarintType, protowire.Fixed32Type, protowire.Fixed64Type:
			v, m := consumeScalar(typ, b[p:])
			if m < 0 {
				r.stop, r.err = off, protowire.ParseError(m).Error()
				return r
			}
			f.valStart, f.valEnd, f.v = p, p+m, v
		case protowire.BytesType:
			l, m := protowire.ConsumeVarint(b[p:])
			if m < 0 {
				r.stop, r.err = off, protowire.ParseError(m).Error()
				return r
			}
			if m != protowire.SizeVarint(l) {
				r.stop, r.err = off, "non-minimal length"
				return r
			}
			// Bound the length by what is left before using it.
			if l > uint64(len(b)-p-m) {
				r.stop, r.err = off, "length "+strconv.FormatUint(l, 10)+" exceeds remaining "+strconv.Itoa(len(b)-p-m)+" bytes"
				return r
			}
			f.valStart, f.valEnd = p+m, p+m+int(l)
		case protowire.StartGroupType:
			end, ok := findGroupEnd(b, p, num, d.opts.MaxDepth)
			if !ok {
				r.stop, r.err = off, "unterminated or too deep group"
				return r
			}
			f.valStart = p
			f.valEnd = end
			_, _, m := protowire.ConsumeTag(b[end:])
			f.end = end + m
			r.groups++
		case protowire.EndGroupType:
			r.stop, r.err = off, "end group without start"
			return r
		default:
			r.stop, r.err = off, "invalid wire type "+strconv.Itoa(int(typ))
			return r
		}
		if num < protowire.MinValidNumber || num > maxFieldNumber {
			r.stop, r.err = off, "invalid field number "+strconv.Itoa(int(num))
			return r
		}
		if typ != protowire.StartGroupType {
			f.end = f.valEnd
		}
		if num > r.maxNum {
			r.maxNum = num
		}
		d.fields = append(d.fields, f)
		off = f.end
	}
	r.stop = len(b)
	r.complete = true
	return r
}

// consumeScalar reads a value of one of the scalar wire types as a uint64,
// returning its length or a negative protowire error code.
func consumeScalar(typ protowire.Type, b []byte) (uint64, int) {
	switch typ {
	case protowire.Fixed32Type:
		v, n := protowire.ConsumeFixed32(b)
		return uint64(v), n
	case protowire.Fixed64Type:
		return protowire.ConsumeFixed64(b)
	}
	return protowire.ConsumeVarint(b)
}

// findGroupEnd returns the offset of the end-group tag matching num for a
// group whose contents start at p. Nested groups are tracked with an
// explicit stack bounded by maxDepth, so deep nesting costs no Go stack.
func findGroupEnd(b []byte, p int, num protowire.Number, maxDepth int) (int, bool) {
	stack := []protowire.Number{num}
	for p < len(b) {
		n, typ, m := protowire.ConsumeTag(b[p:])
		if m < 0 {
			return 0, false
		}
		switch typ {
		case protowire.StartGroupType:
			if len(stack) >= maxDepth {
				return 0, false
			}
			stack = append(stack, n)
			p += m
			continue
		case protowire.EndGroupType:
			if n != stack[len(stack)-1] {
				return 0, false
			}
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return p, true
			}
			p += m
			continue
		}
		v := protowire.ConsumeFieldValue(n, typ, b[p+m:])
		if v < 0 {
			return 0, false
		}
		p += m + v
	}
	return 0, false
}

// fillMessage interprets the scanned fields of b as n's children.
func (d *decoder) fillMessage(n *Node, b []byte, sc scanResult, path string, depth int, derived bool, base int) {
	n.Children = d.children(len(sc.fields))
	// Number the occurrences before recursing: the counter is shared.
	d.ctr.reset()
	for i := range sc.fields {
		sc.fields[i].index = d.ctr.next(sc.fields[i].num)
	}
	prevNum, prevPath := protowire.Number(0), ""
	for i, f := range sc.fields {
		if d.nodes >= d.opts.MaxNodes {
			// Keep the rest of the scanned fields as one bytes node so
			// nothing is lost. It ends where the scan stopped: bytes past
			// that are the caller's unparsed tail, kept by the caller.
			rest := d.newNode()
			*rest = Node{Path: d.joinPath(path, "$rest"), Key: "$rest", Wire: WireNone, Span: Span{base + f.tagStart, sc.stop - f.tagStart}, Derived: derived,
				Kind: KindBytes, Chain: d.chain1(KindBytes), Bytes: b[f.tagStart:sc.stop], Reason: "node budget exhausted; " + strconv.Itoa(len(sc.fields)-i) + " fields not decoded"}
			d.hit(rest, budgetNodes)
			n.Children = append(n.Children, rest)
			return
		}
		d.nodes++
		if f.num != prevNum {
			// Repeated fields come in runs; they share the path string.
			prevNum, prevPath = f.num, d.joinPathNum(path, "", int(f.num))
		}
		// Arena nodes are zeroed: set fields one by one rather than
		// copying a whole Node.
		c := d.newNode()
		c.Field, c.Index, c.Path, c.Wire = int32(f.num), f.index, prevPath, WireType(f.typ)
		c.Span, c.Derived = Span{base + f.valStart, f.valEnd - f.valStart}, derived
		switch f.typ {
		case protowire.VarintType:
			c.Kind, c.Chain, c.Confidence, c.Uint = KindVarint, d.chain1(KindVarint), 1, f.v
			c.Hints = d.varintHints(f.v, f.valEnd-f.valStart)
		case protowire.Fixed32Type:
			c.Kind, c.Chain, c.Confidence, c.Uint = KindFixed32, d.chain1(KindFixed32), 1, f.v
			fl := float64(math.Float32frombits(uint32(f.v)))
			if plausibleFloat(fl) {
				c.Float, c.HasFloat = fl, true
			}
		case protowire.Fixed64Type:
			c.Kind, c.Chain, c.Confidence, c.Uint = KindFixed64, d.chain1(KindFixed64), 1, f.v
			fl := math.Float64frombits(f.v)
			if plausibleFloat(fl) {
				c.Float, c.HasFloat = fl, true
			}
			c.Hints = d.timeHints(f.v)
		case protowire.StartGroupType:
			c.Kind, c.Chain, c.Confidence = KindGroup, d.chain1(KindGroup), 0.8
			d.interpretGroup(c, b[f.valStart:f.valEnd], base+f.valStart, depth+1, derived)
		case protowire.BytesType:
			d.interpretBytes(c, b[f.valStart:f.valEnd], base+f.valStart, depth+1, derived, nil, false)
		}
		n.Children = append(n.Children, c)
	}
}

// interpretGroup decodes the contents of a group as its children.
func (d *decoder) interpretGroup(n *Node, b []byte, base int, depth int, derived bool) {
	if depth > d.opts.MaxDepth {
		n.Kind, n.Chain, n.Bytes, n.Reason = KindBytes, d.chain1(KindBytes), b, "depth budget exhausted"
		d.hit(n, budgetDepth)
		return
	}
	mark := len(d.fields)
	defer d.popFields(mark)
	sc := d.scan(b)
	d.fillMessage(n, b, sc, n.Path, depth, derived, base)
	if !sc.complete {
		// findGroupEnd validated the contents, so this only happens when
		// a budget cut the scan short; keep the rest as bytes.
		n.Reason = "group contents stopped at offset " + strconv.Itoa(base+sc.stop) + ": " + sc.err
		d.nodes++
		rest := d.newNode()
		*rest = Node{Path: d.joinPath(n.Path, "$rest"), Key: "$rest", Wire: WireNone, Span: Span{base + sc.stop, len(b) - sc.stop},
			Derived: derived, Kind: KindBytes, Chain: d.chain1(KindBytes), Bytes: b[sc.stop:], Reason: "unparsed: " + sc.err}
		n.Children = append(n.Children, rest)
	}
}
