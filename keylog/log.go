// This file loads a whole key log and indexes it for the decrypter. See
// doc/protocol.md, section 7: keys can appear after the records they open, so
// the whole log is read before anything is decrypted.

package keylog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// MaxEntries bounds the distinct entries one Log keeps: 1,048,576. A log
// costs at most about 400 bytes of memory per entry (the entry, its
// indexes and a 16-byte digest to drop duplicates; TestMemoryPerEntry),
// so at most about 400 MiB. An entry past the bound is dropped, and
// dropping one is an error (ErrTooManyEntries): a missing key would leave
// records undecrypted with no word why.
const MaxEntries = 1 << 20

// maxEntries is MaxEntries, a variable so that a test can reach it.
var maxEntries = MaxEntries

// ErrTooManyEntries is returned (wrapped) by Parse, Load and
// Follower.Poll when entries past MaxEntries were dropped.
var ErrTooManyEntries = errors.New("too many keys")

// maxMalformedKept bounds the malformed-line list in Stats; the count
// keeps growing past it.
const maxMalformedKept = 100

// KeyIV is an MMTLS record key with its connection's base IV.
type KeyIV struct {
	Key    [16]byte
	BaseIV [12]byte
}

// Log is a loaded key log. It is immutable after Parse and safe for
// concurrent readers. Slices returned by its methods are shared: do not
// modify them.
type Log struct {
	entries []Entry // distinct entries in first-seen order
	// seen holds a digest of each entry's line form, not the line: a
	// digest costs 16 bytes whatever the line's length.
	seen map[[16]byte]struct{}

	outerByTail map[[8]byte][]int
	outerPairs  []KeyIV
	pairSet     map[KeyIV]struct{}
	cbcSet      map[[16]byte]struct{}
	cbcByTail   map[[8]byte][]int
	cbcKeys     [][16]byte // distinct CBC keys of Frida lines, then session keys
	gcmByIV     map[[12]byte][]int
	gcmByTail   map[[8]byte][]int
	gcmKeys     [][24]byte // WECHAT_GCM_KEY lines
	gcmKeySet   map[[24]byte]struct{}
	secrets     map[[32]byte][]byte
	pskAccess   map[[32]byte][]byte
	secretMeta  map[[32]byte]*Meta // v2 metadata of secrets lines

	version int // secrets version of the last header seen by Parse (v2.go)

	stats Stats
}

// Stats counts what a key log held. It carries no key material.
type Stats struct {
	Lines      int            `json:"lines"`      // lines read, including blank ones
	Blank      int            `json:"blank"`      // blank lines
	Comments   int            `json:"comments"`   // comment and header lines
	Duplicates int            `json:"duplicates"` // lines equal to an earlier entry
	ByKind     map[string]int `json:"by_kind"`    // distinct entries by Kind.String()
	Skipped    map[string]int `json:"skipped"`    // well-formed lines without a key, by reason
	Malformed  int            `json:"malformed"`  // malformed lines
	Dropped    int            `json:"dropped"`    // entries past MaxEntries, not kept (an error)
	// MalformedLines lists the first malformed lines (up to 100) with
	// their line number and reason.
	MalformedLines []lineError `json:"malformed_lines,omitempty"`
}

// Parse reads a whole key log from r, detecting the format of each line.
// It returns an error only when r fails; bad lines are counted in Stats.
func Parse(r io.Reader) (*Log, error) {
	l := newLog()
	br := bufio.NewReaderSize(r, 64<<10)
	var long bool // inside a line longer than the buffer
	var buf []byte
	lineNo := 0
	for {
		frag, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !long && len(buf)+len(frag) <= MaxLineLen+2 {
				buf = append(buf, frag...)
			} else {
				long = true
				buf = buf[:0]
			}
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("keylog: read: %w", err)
		}
		if len(frag) > 0 || len(buf) > 0 || long {
			lineNo++
			if long {
				l.addMalformed(lineError{Line: lineNo, Reason: "line too long"})
			} else {
				line := frag
				if len(buf) > 0 {
					buf = append(buf, frag...)
					line = buf
				}
				l.addLine(lineNo, bytes.TrimSuffix(line, []byte("\n")))
			}
			long = false
			buf = buf[:0]
		}
		if err != nil {
			break
		}
	}
	l.stats.Lines = lineNo
	return l, l.errDropped()
}

// errDropped is the error for entries dropped past MaxEntries, or nil.
func (l *Log) errDropped() error {
	if l.stats.Dropped == 0 {
		return nil
	}
	return fmt.Errorf("keylog: %d keys past the limit of %d were dropped: %w", l.stats.Dropped, MaxEntries, ErrTooManyEntries)
}

func newLog() *Log {
	return &Log{
		seen:        map[[16]byte]struct{}{},
		pairSet:     map[KeyIV]struct{}{},
		cbcSet:      map[[16]byte]struct{}{},
		outerByTail: map[[8]byte][]int{},
		cbcByTail:   map[[8]byte][]int{},
		gcmByIV:     map[[12]byte][]int{},
		gcmByTail:   map[[8]byte][]int{},
		gcmKeySet:   map[[24]byte]struct{}{},
		secrets:     map[[32]byte][]byte{},
		pskAccess:   map[[32]byte][]byte{},
		stats:       Stats{ByKind: map[string]int{}, Skipped: map[string]int{}},
	}
}

func (l *Log) addMalformed(e lineError) {
	l.stats.Malformed++
	if len(l.stats.MalformedLines) < maxMalformedKept {
		l.stats.MalformedLines = append(l.stats.MalformedLines, e)
	}
}

func (l *Log) addLine(lineNo int, line []byte) {
	l.addVersioned(lineNo, line, &l.version)
}

// addVersioned parses and indexes one line of a file whose secrets header
// version so far is *version (v2.go).
func (l *Log) addVersioned(lineNo int, line []byte, version *int) {
	e, err := parseVersioned(line, version)
	if err != nil {
		var le *lineError
		if errors.As(err, &le) {
			l.addMalformed(lineError{Line: lineNo, Reason: le.Reason})
		} else {
			l.stats.Skipped[err.Error()]++
		}
		return
	}
	if e.Kind == KindNone {
		if len(bytes.TrimSpace(line)) == 0 {
			l.stats.Blank++
		} else {
			l.stats.Comments++
		}
		return
	}
	if e.Meta != nil {
		e.Meta.Line = lineNo
	}
	l.Add(e)
}

// Add indexes one entry, dropping (and counting) exact duplicates. It is
// used by Parse and by callers that build a Log from entries, e.g. tests
// and the synthetic traffic generator; it must not be called concurrently
// with readers.
func (l *Log) Add(e Entry) {
	if l.seen == nil {
		*l = *newLog()
	}
	sum := sha256.Sum256(AppendLine(nil, e))
	id := [16]byte(sum[:16])
	if _, dup := l.seen[id]; dup {
		l.stats.Duplicates++
		return
	}
	if len(l.entries) >= maxEntries {
		l.stats.Dropped++
		return
	}
	l.seen[id] = struct{}{}
	i := len(l.entries)
	l.entries = append(l.entries, e)
	l.stats.ByKind[e.Kind.String()]++
	switch e.Kind {
	case KindOuter:
		l.outerByTail[e.Tail] = append(l.outerByTail[e.Tail], i)
		p := KeyIV{Key: e.Key16, BaseIV: e.BaseIV}
		if _, ok := l.pairSet[p]; !ok {
			l.pairSet[p] = struct{}{}
			l.outerPairs = append(l.outerPairs, p)
		}
	case KindCBC:
		l.cbcByTail[e.Tail] = append(l.cbcByTail[e.Tail], i)
		l.addCBCKey(e.Key16)
	case KindSessionKey:
		l.addCBCKey(e.Key16)
	case KindGCM:
		l.gcmByIV[e.IV] = append(l.gcmByIV[e.IV], i)
		if !e.TailIsIV {
			l.gcmByTail[e.Tail] = append(l.gcmByTail[e.Tail], i)
		}
	case KindGCMKey:
		if _, ok := l.gcmKeySet[e.Key24]; !ok {
			l.gcmKeySet[e.Key24] = struct{}{}
			l.gcmKeys = append(l.gcmKeys, e.Key24)
		}
	case KindSecret:
		l.secrets[e.ClientRandom] = e.Secret
		l.noteSecretMeta(e)
	case KindPSKAccess:
		l.pskAccess[e.ClientRandom] = e.Secret
		l.noteSecretMeta(e)
	}
}

func (l *Log) addCBCKey(k [16]byte) {
	if _, ok := l.cbcSet[k]; ok {
		return
	}
	l.cbcSet[k] = struct{}{}
	l.cbcKeys = append(l.cbcKeys, k)
}

// pick returns the entries at idx. The common case, one entry, is a
// capped view of l.entries rather than a copy: lookups happen per record
// and per payload, and the returned slices are documented as shared.
func (l *Log) pick(idx []int) []Entry {
	switch len(idx) {
	case 0:
		return nil
	case 1:
		j := idx[0]
		return l.entries[j : j+1 : j+1]
	}
	out := make([]Entry, len(idx))
	for i, j := range idx {
		out[i] = l.entries[j]
	}
	return out
}

// Entries returns the distinct entries in first-seen order.
func (l *Log) Entries() []Entry { return l.entries }

// OuterByTail returns the OUTER entries logged for a record whose body
// (ciphertext and tag) ends with tail.
func (l *Log) OuterByTail(tail [8]byte) []Entry { return l.pick(l.outerByTail[tail]) }

// CBCByTail returns the inner AES-CBC entries logged for a ciphertext
// ending with tail.
func (l *Log) CBCByTail(tail [8]byte) []Entry { return l.pick(l.cbcByTail[tail]) }

// CBCKeys returns every distinct inner AES-CBC key: those of Frida CBC
// lines, then WECHAT_SESSION_KEY lines.
func (l *Log) CBCKeys() [][16]byte { return l.cbcKeys }

// GCMByIV returns the inner AES-GCM entries with this IV.
func (l *Log) GCMByIV(iv [12]byte) []Entry { return l.pick(l.gcmByIV[iv]) }

// GCMByTail returns the inner AES-GCM entries with this tail.
func (l *Log) GCMByTail(tail [8]byte) []Entry { return l.pick(l.gcmByTail[tail]) }

// GCMKeys returns the keys of WECHAT_GCM_KEY lines.
func (l *Log) GCMKeys() [][24]byte { return l.gcmKeys }

// Secret returns the MMTLS_SECRET logged for a full handshake's ClientHello random.
func (l *Log) Secret(clientRandom [32]byte) ([]byte, bool) {
	s, ok := l.secrets[clientRandom]
	return s, ok
}

// PSKAccess returns the MMTLS_PSK_ACCESS logged for a 0-RTT ClientHello random.
func (l *Log) PSKAccess(clientRandom [32]byte) ([]byte, bool) {
	s, ok := l.pskAccess[clientRandom]
	return s, ok
}

// Stats returns the counts of what was read. The maps are copies.
func (l *Log) Stats() Stats {
	s := l.stats
	s.ByKind = copyMap(s.ByKind)
	s.Skipped = copyMap(s.Skipped)
	s.MalformedLines = append([]lineError(nil), s.MalformedLines...)
	return s
}

func copyMap(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// String renders Stats as stable text, one "name value" line each, sorted.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "lines %d\nblank %d\ncomments %d\nduplicates %d\nmalformed %d\n",
		s.Lines, s.Blank, s.Comments, s.Duplicates, s.Malformed)
	writeMap := func(prefix string, m map[string]int) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s %q %d\n", prefix, k, m[k])
		}
	}
	writeMap("kind", s.ByKind)
	writeMap("skipped", s.Skipped)
	for _, e := range s.MalformedLines {
		fmt.Fprintf(&b, "malformed line %d: %s\n", e.Line, e.Reason)
	}
	return b.String()
}
