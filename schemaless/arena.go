// This file holds the decoder's allocation arenas: nodes, chains and
// strings are carved out of chunks instead of being allocated one by one,
// and the raw fields of nested scans share one stack. Decoding a typical
// payload allocates a few chunks rather than several objects per node.

package schemaless

import (
	"compress/zlib"
	"io"
	"strconv"
	"sync"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
)

// Arena chunk sizes. Chunks grow geometrically from small sizes so that
// decoding a tiny payload stays cheap, up to these bounds.
const (
	maxNodeChunk  = 32
	maxKindChunk  = 1024
	maxPtrChunk   = 1024
	maxAltChunk   = 256
	maxStrChunk   = 16 << 10
	bigStr        = 1 << 10 // strings at least this long get their own allocation
	firstNodeSize = 8
)

// newNode returns a zeroed node from the node arena. Nodes are never freed
// individually; a chunk lives as long as any node in it, which is the
// tree's lifetime.
func (d *decoder) newNode() *Node {
	if len(d.nodeArena) == 0 {
		// Small chunks: the last one's slack is wasted, and payloads
		// are small.
		d.nodeChunk = min(max(2*d.nodeChunk, firstNodeSize), maxNodeChunk)
		d.nodeArena = make([]Node, d.nodeChunk)
	}
	n := &d.nodeArena[0]
	d.nodeArena = d.nodeArena[1:]
	return n
}

// kinds returns a chain of length l from the chain arena. Its capacity is
// exactly l, so a later append by anyone copies instead of overwriting a
// neighbour.
func (d *decoder) kinds(l int) []Kind {
	if cap(d.kindArena)-len(d.kindArena) < l {
		d.kindChunk = min(max(2*d.kindChunk, 64), maxKindChunk)
		d.kindArena = make([]Kind, 0, max(d.kindChunk, l))
	}
	s := len(d.kindArena)
	d.kindArena = d.kindArena[:s+l]
	return d.kindArena[s : s+l : s+l]
}

// children returns an empty child list with room for k nodes, from the
// pointer arena when it is small. Its capacity is exactly k: appending more
// copies it out of the arena.
func (d *decoder) children(k int) []*Node {
	if k > maxPtrChunk/4 {
		return make([]*Node, 0, k)
	}
	if cap(d.ptrArena)-len(d.ptrArena) < k {
		d.ptrChunk = min(max(2*d.ptrChunk, 64), maxPtrChunk)
		d.ptrArena = make([]*Node, 0, max(d.ptrChunk, k))
	}
	s := len(d.ptrArena)
	d.ptrArena = d.ptrArena[:s+k]
	return d.ptrArena[s : s : s+k]
}

// alternatives returns an empty list of alternatives with room for k,
// like children.
func (d *decoder) alternatives(k int) []Alternative {
	if cap(d.altArena)-len(d.altArena) < k {
		d.altChunk = min(max(2*d.altChunk, 16), maxAltChunk)
		d.altArena = make([]Alternative, 0, max(d.altChunk, k))
	}
	s := len(d.altArena)
	d.altArena = d.altArena[:s+k]
	return d.altArena[s : s : s+k]
}

// hints returns an empty hint list with room for k, like children.
func (d *decoder) hints(k int) []string {
	if cap(d.hintArena)-len(d.hintArena) < k {
		d.hintArena = make([]string, 0, max(64, k))
	}
	s := len(d.hintArena)
	d.hintArena = d.hintArena[:s+k]
	return d.hintArena[s : s : s+k]
}

// timeHints is timeHints with the list from the arena.
func (d *decoder) timeHints(v uint64) []string {
	if t := timeHint(v); t != "" {
		return append(d.hints(1), t)
	}
	return nil
}

// chain1 returns the one-step chain [k].
func (d *decoder) chain1(k Kind) []Kind {
	c := d.kinds(1)
	c[0] = k
	return c
}

// appendKind returns chain+k without aliasing chain's backing array, since
// sibling nodes share chain prefixes.
func (d *decoder) appendKind(chain []Kind, k Kind) []Kind {
	c := d.kinds(len(chain) + 1)
	copy(c, chain)
	c[len(chain)] = k
	return c
}

// strSpace makes room for n bytes in the string arena.
func (d *decoder) strSpace(n int) {
	if cap(d.strArena)-len(d.strArena) < n {
		d.strChunk = min(max(2*d.strChunk, 512), maxStrChunk)
		d.strArena = make([]byte, 0, max(d.strChunk, n))
	}
}

// finishStr returns the bytes appended to the string arena since offset s
// as a string. The arena only ever grows past them, so the bytes are never
// written again, which is what makes the string immutable.
func (d *decoder) finishStr(s int) string {
	if len(d.strArena) == s {
		return ""
	}
	return unsafe.String(&d.strArena[s], len(d.strArena)-s)
}

// str copies b into a string.
func (d *decoder) str(b []byte) string {
	if len(b) >= bigStr {
		return string(b)
	}
	d.strSpace(len(b))
	s := len(d.strArena)
	d.strArena = append(d.strArena, b...)
	return d.finishStr(s)
}

// joinPath returns parent.seg (or seg at the root).
func (d *decoder) joinPath(parent, seg string) string {
	if parent == "" {
		return seg
	}
	d.strSpace(len(parent) + 1 + len(seg))
	s := len(d.strArena)
	d.strArena = append(d.strArena, parent...)
	d.strArena = append(d.strArena, '.')
	d.strArena = append(d.strArena, seg...)
	return d.finishStr(s)
}

// joinPathSuffix returns parent+suffix, e.g. "1.4[]".
func (d *decoder) joinPathSuffix(parent, suffix string) string {
	d.strSpace(len(parent) + len(suffix))
	s := len(d.strArena)
	d.strArena = append(d.strArena, parent...)
	d.strArena = append(d.strArena, suffix...)
	return d.finishStr(s)
}

// joinPathNum returns parent.prefix<i>, e.g. "2.1" or "4.$3".
func (d *decoder) joinPathNum(parent, prefix string, i int) string {
	d.strSpace(len(parent) + 1 + len(prefix) + 20)
	s := len(d.strArena)
	if parent != "" {
		d.strArena = append(d.strArena, parent...)
		d.strArena = append(d.strArena, '.')
	}
	d.strArena = append(d.strArena, prefix...)
	d.strArena = strconv.AppendInt(d.strArena, int64(i), 10)
	return d.finishStr(s)
}

// popFields releases the fields scanned since mark. A scan appends its
// fields to the stack d.fields; nested scans append after their parent's.
// When the stack's array is reallocated the parent keeps reading its old
// array, which nothing writes any more.
func (d *decoder) popFields(mark int) { d.fields = d.fields[:mark] }

// counter numbers the occurrences of keys among siblings (Node.Index). It
// searches a short list and switches to a map for wide containers, so
// neither small nor huge containers cost much.
type counter[K comparable] struct {
	keys []K
	cnt  []int
	m    map[K]int
}

const counterLinear = 16

func (c *counter[K]) next(k K) int {
	if c.m != nil {
		i := c.m[k]
		c.m[k] = i + 1
		return i
	}
	for i, x := range c.keys {
		if x == k {
			c.cnt[i]++
			return c.cnt[i] - 1
		}
	}
	if len(c.keys) < counterLinear {
		c.keys = append(c.keys, k)
		c.cnt = append(c.cnt, 1)
		return 0
	}
	c.m = make(map[K]int, 2*counterLinear)
	for i, x := range c.keys {
		c.m[x] = c.cnt[i]
	}
	c.m[k] = 1
	return 0
}

// reset empties c, keeping its list's memory.
func (c *counter[K]) reset() {
	c.keys, c.cnt, c.m = c.keys[:0], c.cnt[:0], nil
}

// scans is the scratch space of scans, reused across Decode calls: nothing
// in it outlives a call.
type scans struct {
	fields []rawField // stack of the fields of the scans in progress
	ctr    counter[protowire.Number]
}

var scansPool = sync.Pool{New: func() any { return new(scans) }}

func getScans() *scans { return scansPool.Get().(*scans) }

func putScans(s *scans) {
	if cap(s.fields) > 1<<16 {
		return // do not keep the memory of a huge input
	}
	s.fields = s.fields[:0]
	s.ctr.reset()
	scansPool.Put(s)
}

// zlibReaders pools decompressors: each holds a 32 KiB window that is
// expensive to allocate per value.
var zlibReaders sync.Pool

// getZlib returns a zlib reader over r, reusing a pooled one when possible.
func getZlib(r io.Reader) (io.ReadCloser, error) {
	if z, ok := zlibReaders.Get().(io.ReadCloser); ok {
		if err := z.(zlib.Resetter).Reset(r, nil); err != nil {
			zlibReaders.Put(z)
			return nil, err
		}
		return z, nil
	}
	return zlib.NewReader(r)
}

func putZlib(z io.ReadCloser) { zlibReaders.Put(z) }
