package analyze

// Evidence placement: which leaf of the decoded request a finding was read
// from, the batch entry (report line or repeated element) that holds it,
// the Mini Program that entry is about, and a finding ID derived from the
// request's content.
//
// A batched report request carries many events, each in its own report line
// or repeated element, often for different Mini Programs (or none: an
// official-account article view). A finding is tied to the appid found in
// its own entry; when its entry names none, to the appid at the request's
// top level, but only when that is the only one; otherwise to none.

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/report"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// maxContext bounds the report line quoted as a finding's context.
const maxContext = 300

// placement is where one finding sits in its request.
type placement struct {
	leaf    int // index in fields; -1 when not found
	entries []int
	appid   string
	session string // the Mini Program session of the entry, when stated
	page    string // the page the entry is about, when stated
}

// entry is the finding's entry when it is known exactly.
func (p placement) entry(fields []classify.Field) int {
	if p.leaf < 0 || len(p.entries) != 1 {
		return 0
	}
	return fields[p.leaf].Entry
}

// entryTree maps each entry to the entry that holds it.
func entryTree(fields []classify.Field) map[int]int {
	up := map[int]int{}
	for i := range fields {
		if e := fields[i].Entry; e != 0 {
			up[e] = fields[i].Outer
		}
	}
	return up
}

// perLeaf gives each leaf its own finding. The classifier reports a value
// once per field path, but the same value at the same path in three report
// entries is three events with three spans, and one finding is one value
// per (request, span, data type) (doc/claims.md): a Mini Program that
// reports the same tap five times in one batch did five taps. It returns
// the findings, their agreeing rules and, per finding, the leaf it was
// pinned to (-1: left to locate).
func perLeaf(found []classify.Finding, also [][]string, fields []classify.Field, byPath map[string][]int) ([]classify.Finding, [][]string, []int) {
	var outF []classify.Finding
	var outA [][]string
	var leaves []int
	for i := range found {
		f := &found[i]
		match := matchingLeaves(f, fields, byPath)
		entries := map[int]bool{}
		for _, l := range match {
			entries[fields[l].Entry] = true
		}
		if strings.Contains(f.FieldPath, "+") || len(match) < 2 || len(entries) < len(match) {
			outF, outA, leaves = append(outF, *f), append(outA, also[i]), append(leaves, -1)
			continue
		}
		for _, l := range match {
			outF, outA, leaves = append(outF, *f), append(outA, also[i]), append(leaves, l)
		}
	}
	return outF, outA, leaves
}

// pathIndex maps each field path to its leaves, once per request.
func pathIndex(fields []classify.Field) map[string][]int {
	byPath := map[string][]int{}
	for i := range fields {
		byPath[fields[i].Path] = append(byPath[fields[i].Path], i)
	}
	return byPath
}

// placeFindings locates every finding of one request (at its pinned leaf,
// when perLeaf pinned one) and attributes each to the appid of its entry.
func placeFindings(found []classify.Finding, fields []classify.Field, byPath map[string][]int, pinned []int) []placement {
	pl := make([]placement, len(found))
	for i := range found {
		if pinned != nil && pinned[i] >= 0 {
			pl[i] = placement{leaf: pinned[i], entries: []int{fields[pinned[i]].Entry}}
			continue
		}
		pl[i] = locate(&found[i], fields, byPath)
	}
	// The appids of each entry (0: the request's top level).
	apps := map[int][]string{}
	for i := range found {
		f := &found[i]
		if f.DataType != taxonomy.MiniProgramID || !strings.HasPrefix(f.Value, "wx") {
			continue
		}
		for _, e := range pl[i].entries {
			if !slices.Contains(apps[e], f.Value) {
				apps[e] = append(apps[e], f.Value)
			}
		}
	}
	up := entryTree(fields)
	mp := newMPScope(fields, up)
	for i := range pl {
		pl[i].appid = appidFor(pl[i].entries, apps, up)
		if pl[i].appid != "" {
			pl[i].session = mp.of(mp.sessions, pl[i].entries)
			pl[i].page = mp.of(mp.pages, pl[i].entries)
		}
	}
	return pl
}

// appidFor picks the one appid of the innermost scope that names any: the
// finding's own entry, then the entries that hold it, then the request's
// top level. Several candidates in that scope mean none.
func appidFor(entries []int, apps map[int][]string, up map[int]int) string {
	var cands []string
	for _, e := range entries {
		for depth := 0; depth < 64; depth++ {
			if len(apps[e]) > 0 {
				for _, a := range apps[e] {
					if !slices.Contains(cands, a) {
						cands = append(cands, a)
					}
				}
				break
			}
			if e == 0 {
				break
			}
			e = up[e]
		}
	}
	if len(cands) == 1 {
		return cands[0]
	}
	return ""
}

// locate finds the leaf a finding was read from: the field at its path
// whose value the finding quotes. When several leaves at that path quote
// the same value, all their entries are kept.
func locate(f *classify.Finding, fields []classify.Field, byPath map[string][]int) placement {
	path := f.FieldPath
	if i := strings.IndexByte(path, '+'); i >= 0 {
		path = path[:i] // a pair: the first leaf
	}
	value := f.Value
	if i := strings.IndexByte(value, ','); i >= 0 && strings.Contains(f.FieldPath, "+") {
		value = value[:i]
	}
	cands := byPath[path]
	p := placement{leaf: -1}
	match := quoting(cands, fields, value)
	if len(match) == 0 {
		match = cands
	}
	if len(match) == 0 {
		p.entries = []int{0}
		return p
	}
	p.leaf = match[0]
	for _, i := range match {
		if !slices.Contains(p.entries, fields[i].Entry) {
			p.entries = append(p.entries, fields[i].Entry)
		}
	}
	return p
}

// matchingLeaves lists the leaves at a (single-path) finding's path that
// quote its value.
func matchingLeaves(f *classify.Finding, fields []classify.Field, byPath map[string][]int) []int {
	return quoting(byPath[f.FieldPath], fields, f.Value)
}

func quoting(cands []int, fields []classify.Field, value string) []int {
	var match []int
	for _, i := range cands {
		if quotes(&fields[i], value) {
			match = append(match, i)
		}
	}
	return match
}

// quotes reports whether the finding's value is this field's value (or an
// excerpt of it).
func quotes(fd *classify.Field, value string) bool {
	switch fd.Kind {
	case classify.KindText, classify.KindNumber:
		t := strings.TrimRight(fd.Text, "\x00")
		return t == value || (len(value) >= 8 && strings.HasPrefix(t, strings.TrimSuffix(value, "…")))
	case classify.KindVarint, classify.KindFixed32, classify.KindFixed64:
		return value == strconv.FormatUint(fd.Uint, 10) || value == strconv.FormatInt(int64(fd.Uint), 10) ||
			value == strconv.FormatInt(int64(int32(fd.Uint)), 10) || (fd.HasFloat && value == strconv.FormatFloat(fd.Float, 'f', -1, 64))
	}
	return false
}

// evidenceContext returns the report line that holds the leaf, for the
// reader to see the value among its neighbours.
func evidenceContext(fields []classify.Field, leaf int) string {
	if leaf < 0 || fields[leaf].Entry == 0 || fields[leaf].Container {
		return ""
	}
	// The entry's own container comes first in pre-order: the earliest
	// container of the entry, not one nested inside it.
	ctx := ""
	for i := leaf - 1; i >= 0 && fields[i].Entry == fields[leaf].Entry; i-- {
		if fields[i].Container {
			ctx = fields[i].Text
		}
	}
	return excerptText(ctx, maxContext)
}

// excerptText copies at most n bytes of s: the decoder's strings share
// its buffers, and a finding that outlives the request must not keep them.
func excerptText(s string, n int) string {
	if len(s) <= n {
		return strings.Clone(s)
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// findingID derives a finding's ID from what it is about: the request's
// bytes and endpoint, the field path, the data type, the rule and the
// value. The same input gives the same IDs, and a subset of the inputs a
// subset of the IDs. Byte-identical requests sent twice get "-2", "-3".
func findingID(payloadSum [32]byte, endpoint string, f *classify.Finding, seen map[[6]byte]uint32) string {
	h := sha256.New()
	h.Write(payloadSum[:])
	for _, s := range []string{endpoint, f.FieldPath, string(f.DataType), f.Rule, f.Value} {
		h.Write([]byte{0})
		h.Write([]byte(s))
	}
	var key [6]byte
	copy(key[:], h.Sum(nil))
	id := "f" + hex.EncodeToString(key[:])
	seen[key]++
	if n := seen[key]; n > 1 {
		id += "-" + strconv.FormatUint(uint64(n), 10)
	}
	return id
}

// span returns the leaf's span for the report, or nil.
func span(fields []classify.Field, leaf int) *report.Span {
	if leaf < 0 {
		return nil
	}
	s := fields[leaf].Span
	return &report.Span{Offset: s[0], Length: s[1]}
}
