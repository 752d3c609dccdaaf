// This file opens one business packet: header, inner decryption, zlib and
// signature. See doc/protocol.md, sections 4 and 5.

package business

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/wxaudit/wxaudit/internal/worklog"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// Keys is where Open looks for inner keys. *keylog.Log satisfies it.
// Implementations must not modify the returned slices' contents.
type Keys interface {
	CBCByTail(tail [8]byte) []keylog.Entry
	CBCKeys() [][16]byte
	GCMByIV(iv [12]byte) []keylog.Entry
	GCMByTail(tail [8]byte) []keylog.Entry
	GCMKeys() [][24]byte
}

var _ Keys = (*keylog.Log)(nil)

// AuthState carries what earlier packets of a capture taught: keys learned
// from the auth response and keys that verified before. Use one AuthState per
// capture (or per account), in capture order; it is not safe for
// concurrent use. The zero value is ready.
type AuthState struct {
	// MaxInflate caps inflated payloads; 0 means DefaultMaxInflate.
	MaxInflate int64
	// MaxInflateTotal caps what all the payloads of the AuthState (a
	// capture) may inflate to together, so a small capture of zlib bombs
	// each under MaxInflate cannot amplify into gigabytes of output;
	// 0 means DefaultMaxInflateTotal. Payloads past it fail with
	// ReasonOutputCap, counted like any other.
	MaxInflateTotal int64
	inflated        int64
	capped          bool // an inflation hit its cap since the last Restore

	// Learned keys, tried before the key log's.
	SessionKeys   [][16]byte // inner AES-CBC keys
	SignatureKeys [][16]byte // signature key K
	GCMKeys       [][24]byte // inner AES-GCM keys

	ciphers cipherCache // AES states of keys tried, see ciphers.go
	// scratch receives inner plaintexts that are inflated (or copied) out
	// before Open returns; see keepScratch.
	scratch []byte
	// gcmCands is openGCMBlob's list of keys to try, kept between packets.
	gcmCands []gcmCand

	// Alloc, if set, allocates the plaintexts Open and InflateBody return
	// (decrypt recycles them through internal/bufpool); nil means make.
	Alloc func(n int) []byte
}

// clone copies b into a new slice from Alloc.
func (st *AuthState) clone(b []byte) []byte {
	if st == nil {
		return copyOut(nil, b)
	}
	return copyOut(st.Alloc, b)
}

// copyOut copies b into a new slice from alloc, or of exactly len(b) bytes
// when alloc is nil.
func copyOut(alloc func(int) []byte, b []byte) []byte {
	if alloc == nil {
		return append(make([]byte, 0, len(b)), b...)
	}
	out := alloc(len(b))
	copy(out, b)
	return out
}

// maxScratch bounds the inner-plaintext scratch a AuthState keeps.
const maxScratch = 1 << 20

// keepScratch keeps b's backing array as the AuthState's scratch, unless it
// is too large to keep.
func (st *AuthState) keepScratch(b []byte) {
	if cap(b) <= maxScratch {
		st.scratch = b[:0]
	}
}

// learn adds the secrets of an auth response.
func (st *AuthState) learn(a authSecrets) {
	st.SessionKeys = addKey(st.SessionKeys, a.SessionKey)
	st.SignatureKeys = addKey(st.SignatureKeys, a.SignatureKey)
	for _, k := range a.GCMKeys {
		st.GCMKeys = addKey(st.GCMKeys, k)
	}
}

func addKey[K comparable](ks []K, k K) []K {
	for _, x := range ks {
		if x == k {
			return ks
		}
	}
	return append(ks, k)
}

// DefaultMaxInflateTotal is the default of AuthState.MaxInflateTotal.
const DefaultMaxInflateTotal = 1 << 30

// maxInflate is the most the next payload may inflate to: the per-payload
// cap or what is left of the total, whichever is less.
func (st *AuthState) maxInflate() int64 {
	return min(st.perPayload(), st.outputLeft())
}

func (st *AuthState) perPayload() int64 {
	if st.MaxInflate > 0 {
		return st.MaxInflate
	}
	return DefaultMaxInflate
}

func (st *AuthState) outputLeft() int64 {
	total := st.MaxInflateTotal
	if total <= 0 {
		total = DefaultMaxInflateTotal
	}
	return max(0, total-st.inflated)
}

// tooLarge names why an inflation hit its limit.
func (st *AuthState) tooLarge() string {
	if st.outputLeft() < st.perPayload() {
		return taxonomy.ReasonOutputCap
	}
	return taxonomy.ReasonTooLarge
}

// Plaintext is one plaintext of a business packet. Ordinary packets have one
// part with an empty Name; the hybrid auth exchange has several.
type Plaintext struct {
	Name       string // "", "payload", "client_random_1", "client_random_2"
	Plaintext  []byte // after inflation; owned by the caller
	Inner      string // InnerAESCBC, InnerAESGCM or InnerNone
	Compressed bool   // the plaintext was a zlib stream
}

// Packet is an opened business packet.
type Packet struct {
	Header Header // Cookie and Extra alias the input packet
	Parts  []Plaintext
	// SignatureOK is set when the header signature could be checked:
	// true when a known signature key verifies it, false when keys were
	// known and none did; nil for unsigned packets or without a key.
	SignatureOK *bool
	// Learned is set when this packet was an auth response whose secrets
	// were added to the AuthState.
	Learned bool
}

// OpenError is a business packet that could not be opened. Reason is one
// of the Reason constants or "unknown algo 0x…".
type OpenError struct {
	Reason string
	Err    error // underlying error, may be nil
}

func (e *OpenError) Error() string {
	if e.Err != nil {
		return "business: " + e.Reason + ": " + e.Err.Error()
	}
	return "business: " + e.Reason
}

func (e *OpenError) Unwrap() error { return e.Err }

var (
	errTruncated   = errors.New("truncated")
	errBadPadding  = errors.New("bad padding")
	errTagMismatch = errors.New("tag mismatch")
)

// noKeys is used when Open is given a nil Keys.
type noKeys struct{}

func (noKeys) CBCByTail([8]byte) []keylog.Entry { return nil }
func (noKeys) CBCKeys() [][16]byte              { return nil }
func (noKeys) GCMByIV([12]byte) []keylog.Entry  { return nil }
func (noKeys) GCMByTail([8]byte) []keylog.Entry { return nil }
func (noKeys) GCMKeys() [][24]byte              { return nil }

// Open parses the WeChat header of pkt, decrypts the inner body with a key
// from st or keys (keys may be nil, st may be nil), inflates it, and checks
// the signature. Keys that work are remembered in st; an auth response's
// secrets (session key, signature key, GCM keys) are learned into st.
//
// For AES-CBC a key is accepted only when the padding is valid and the
// plaintext length equals the header's compressed length (and, for zlib,
// inflates to the uncompressed length); for AES-GCM when the tag verifies.
// On failure it returns a zero Packet and an *OpenError.
func Open(pkt []byte, keys Keys, st *AuthState) (Packet, error) {
	if keys == nil {
		keys = noKeys{}
	}
	if st == nil {
		st = &AuthState{}
	}
	h, body, err := parseHeader(pkt)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return Packet{}, &OpenError{Reason: taxonomy.ReasonTruncated, Err: err}
		}
		return Packet{}, &OpenError{Reason: taxonomy.ReasonMalformed, Err: err}
	}
	o := Packet{Header: h}
	switch h.Algo {
	case AlgoCBC:
		p, err := openCBCBody(h, body, keys, st)
		if err != nil {
			return Packet{}, err
		}
		o.Parts = []Plaintext{p}
	case AlgoGCM:
		p, err := openGCMBody(body, keys, st)
		if err != nil {
			return Packet{}, err
		}
		o.Parts = []Plaintext{p}
	case AlgoHybrid:
		parts, err := openHybridBody(body, keys, st)
		if err != nil {
			return Packet{}, err
		}
		o.Parts = parts
		for _, p := range parts {
			if p.Name != partPayload {
				continue
			}
			if a, ok := learnFromAuthResponse(p.Plaintext, keys); ok {
				st.learn(a)
				o.Learned = true
			}
		}
	default:
		return Packet{}, &OpenError{Reason: fmt.Sprintf("unknown algo 0x%x", uint8(h.Algo))}
	}
	if h.Signature != 0 && len(o.Parts) == 1 {
		o.SignatureOK = checkSignature(h, o.Parts[0].Plaintext, keys, st)
	}
	return o, nil
}

// openLonglink opens the body of a Longlink packet: commands without inner
// encryption (noop, identify) give one InnerNone part, others go to Open.
func openLonglink(p LonglinkPacket, keys Keys, st *AuthState) (Packet, error) {
	if p.Cmd.Plain() {
		return Packet{Parts: []Plaintext{{Plaintext: st.clone(p.Body), Inner: taxonomy.InnerNone}}}, nil
	}
	return Open(p.Body, keys, st)
}

func checkSignature(h Header, plaintext []byte, keys Keys, st *AuthState) *bool {
	t, f := true, false
	for _, k := range st.SignatureKeys {
		if uint64(Signature(plaintext, h.Uin, k[:])) == h.Signature {
			return &t
		}
	}
	// Without a learned key, an AES-CBC key of the key log may be K (it is
	// the key that decrypts the auth response's session key); a 32-bit
	// match by chance is negligible. Only the first maxBlindKeys are
	// tried: each try hashes the whole plaintext.
	for _, k := range blindKeys(keys) {
		if uint64(Signature(plaintext, h.Uin, k[:])) == h.Signature {
			st.SignatureKeys = addKey(st.SignatureKeys, k)
			return &t
		}
	}
	if len(st.SignatureKeys) > 0 {
		return &f
	}
	return nil
}

// maxBlindKeys bounds the key-log AES-CBC keys tried on a packet that no
// key-log line names (by its ciphertext's tail) and no learned key opens:
// real key logs hold a handful of distinct session keys, and a log of
// thousands of keys must not make every payload try every key.
const maxBlindKeys = 64

// blindKeys returns the key log's AES-CBC keys to try without an index.
func blindKeys(keys Keys) [][16]byte {
	ks := keys.CBCKeys()
	return ks[:min(len(ks), maxBlindKeys)]
}

// failure ranks how far a key candidate got, to report the most telling
// reason when none works.
type failure struct {
	rank int
	err  *OpenError
}

func (f *failure) note(rank int, reason string, err error) {
	if rank > f.rank {
		f.rank, f.err = rank, &OpenError{Reason: reason, Err: err}
	}
}

func (f *failure) result() error {
	if f.err == nil {
		return &OpenError{Reason: taxonomy.ReasonNoKey}
	}
	return f.err
}

func openCBCBody(h Header, body []byte, keys Keys, st *AuthState) (Plaintext, error) {
	if len(body) == 0 || len(body)%16 != 0 {
		return Plaintext{}, &OpenError{Reason: taxonomy.ReasonTruncated, Err: fmt.Errorf("aes-cbc body of %d bytes", len(body))}
	}
	var cands [][16]byte
	var tail [8]byte
	copy(tail[:], body[len(body)-8:])
	for _, e := range keys.CBCByTail(tail) {
		cands = addKey(cands, e.Key16)
	}
	for _, k := range st.SessionKeys {
		cands = addKey(cands, k)
	}
	// Keys the key log names for this very ciphertext, and keys learned
	// from the auth response or confirmed before: their plaintext needs no
	// further confirmation than padding and lengths.
	named := len(cands)
	for _, k := range blindKeys(keys) {
		cands = addKey(cands, k)
	}
	// Padding and the header's lengths let a wrong key through about once
	// in 4096 tries for an uncompressed body (zlib's checksum guards
	// compressed ones). So a candidate that passes is kept as a fallback
	// while a better one is sought: one whose plaintext the header
	// signature verifies, or failing that, one that parses as protobuf.
	var fail failure
	var best Plaintext
	var bestKey [16]byte
	bestRank := -1
	for i, k := range cands {
		pt, err := openCBCInto(st.cbcCipher(k), k, body, st.scratch)
		if err != nil {
			fail.note(1, taxonomy.ReasonBadPadding, nil)
			continue
		}
		if uint64(len(pt)) != h.CompressedLen {
			fail.note(2, taxonomy.ReasonLengthMismatch, fmt.Errorf("plaintext %d bytes, header says %d", len(pt), h.CompressedLen))
			continue
		}
		st.keepScratch(pt)
		p := Plaintext{Plaintext: pt, Inner: taxonomy.InnerAESCBC}
		if h.Compress != CompressZlib {
			p.Plaintext = st.clone(pt) // out of the scratch
		} else {
			out, err := inflateZlib(pt, min(st.maxInflate(), int64(h.UncompressedLen)), st.Alloc)
			if errors.Is(err, errTooLarge) {
				st.capped = true
				fail.note(4, st.tooLarge(), err)
				continue
			}
			if err != nil {
				fail.note(3, taxonomy.ReasonInflate, err)
				continue
			}
			if uint64(len(out)) != h.UncompressedLen {
				fail.note(3, taxonomy.ReasonLengthMismatch, fmt.Errorf("inflated %d bytes, header says %d", len(out), h.UncompressedLen))
				continue
			}
			st.inflated += int64(len(out))
			p.Plaintext, p.Compressed = out, true
		}
		rank := cbcRank(h, p, keys, st)
		if i >= named && !p.Compressed && rank != rankSigned && !plausibleMessage(p.Plaintext) {
			// Padding and lengths alone let a wrong key through once in
			// about 4096 tries: without the key log naming this
			// ciphertext, a signature, zlib's checksum or the message
			// structure must confirm it.
			fail.note(3, taxonomy.ReasonUnconfirmed, nil)
			continue
		}
		if rank > bestRank {
			best, bestKey, bestRank = p, k, rank
		}
		if rank == rankSigned || (rank == rankProtobuf && (h.Signature == 0 || !signatureCheckable(keys, st))) || p.Compressed {
			break
		}
	}
	if bestRank < 0 {
		return Plaintext{}, fail.result()
	}
	st.SessionKeys = addKey(st.SessionKeys, bestKey)
	return best, nil
}

// Ranks of an AES-CBC candidate plaintext, best last.
const (
	rankPlausible = iota // padding and lengths agree
	rankProtobuf         // and the plaintext parses as protobuf
	rankSigned           // and the header signature verifies
)

func cbcRank(h Header, p Plaintext, keys Keys, st *AuthState) int {
	if h.Signature != 0 {
		if ok := checkSignature(h, p.Plaintext, keys, st); ok != nil && *ok {
			return rankSigned
		}
	}
	if isProtobuf(p.Plaintext) {
		return rankProtobuf
	}
	return rankPlausible
}

// signatureCheckable reports whether some signature key is known.
func signatureCheckable(keys Keys, st *AuthState) bool {
	return len(st.SignatureKeys) > 0 || len(keys.CBCKeys()) > 0
}

// isProtobuf reports whether b is a sequence of well-formed protobuf
// fields with plausible field numbers, to the last byte.
func isProtobuf(b []byte) bool {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num > 1<<20 {
			return false
		}
		b = b[n:]
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return false
		}
		b = b[m:]
	}
	return true
}

// plausibleMessage is the stricter structure check that confirms a key
// the key log does not name for this ciphertext: a non-empty sequence of
// protobuf fields numbered 1..1024 (WeChat's messages use small field
// numbers), without groups, to the last byte. Random bytes pass it far
// less often than isProtobuf (measured: under 1 in 10^4 at 30 bytes).
func plausibleMessage(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num > 1024 || typ == protowire.StartGroupType || typ == protowire.EndGroupType {
			return false
		}
		b = b[n:]
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return false
		}
		b = b[m:]
	}
	return true
}

// gcmCand is an AES-GCM key to try with its AAD.
type gcmCand struct {
	key [24]byte
	aad []byte
}

// openGCMBlob decrypts one blob with keys found by IV, by tail, in st,
// then the key log's bare keys (with each of extraAAD), and inflates a
// zlib plaintext.
func openGCMBlob(b []byte, keys Keys, st *AuthState, extraAAD [][]byte) (Plaintext, error) {
	g, err := ParseGCMBlob(b)
	if err != nil {
		return Plaintext{}, &OpenError{Reason: taxonomy.ReasonTruncated, Err: fmt.Errorf("aes-gcm body of %d bytes", len(b))}
	}
	cands := st.gcmCands[:0]
	defer func() {
		clear(cands) // the AADs may alias packets
		st.gcmCands = cands[:0]
	}()
	for _, e := range keys.GCMByIV(g.IV) {
		cands = append(cands, gcmCand{e.Key24, e.AAD})
	}
	if t, ok := g.Tail(); ok {
		for _, e := range keys.GCMByTail(t) {
			cands = append(cands, gcmCand{e.Key24, e.AAD})
		}
	}
	// Bare keys have no index: the learned ones, then at most maxBlindKeys
	// of the key log's (a tag check each, per AAD).
	gk := keys.GCMKeys()
	for _, bare := range [][][24]byte{st.GCMKeys, gk[:min(len(gk), maxBlindKeys)]} {
		for _, k := range bare {
			cands = append(cands, gcmCand{k, nil})
			for _, aad := range extraAAD {
				cands = append(cands, gcmCand{k, aad})
			}
		}
	}
	var fail failure
	for _, c := range cands {
		pt, err := g.open(st.gcmAEAD(c.key), c.aad, st.scratch)
		if err != nil {
			fail.note(1, taxonomy.ReasonTagMismatch, nil)
			continue
		}
		if worklog.Rec != nil {
			worklog.Rec.GCM(c.key[:], g.IV[:], c.aad, append(slices.Clone(g.Ciphertext), g.Tag[:]...))
		}
		st.keepScratch(pt)
		st.GCMKeys = addKey(st.GCMKeys, c.key)
		p := Plaintext{Inner: taxonomy.InnerAESGCM}
		// doc/protocol.md §5: GCM inputs are always zlib, whatever the
		// header's compress bits say.
		if len(pt) == 0 || pt[0] != zlibMagic {
			p.Plaintext = st.clone(pt) // out of the scratch
		} else {
			out, err := inflateZlib(pt, st.maxInflate(), st.Alloc)
			if errors.Is(err, errTooLarge) {
				st.capped = true
				return Plaintext{}, &OpenError{Reason: st.tooLarge(), Err: err}
			}
			if err != nil {
				return Plaintext{}, &OpenError{Reason: taxonomy.ReasonInflate, Err: err}
			}
			st.inflated += int64(len(out))
			p.Plaintext, p.Compressed = out, true
		}
		return p, nil
	}
	return Plaintext{}, fail.result()
}

func openGCMBody(body []byte, keys Keys, st *AuthState) (Plaintext, error) {
	return openGCMBlob(body, keys, st, nil)
}
