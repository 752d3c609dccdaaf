// Package worklog records the cipher and inflate work that decrypt does, so
// that internal/tools/decryptfloor can time that work alone: the physical
// floor `wxaudit decrypt` is measured against (BENCHMARKS.md). Recording is
// off unless a tool sets Rec; when off, each hook costs one nil check per
// record or payload.
package worklog

// Recorder receives each piece of work as it succeeds. The slices are
// the caller's: copy to keep.
type Recorder interface {
	// GCM is an AES-GCM open whose tag verified: MMTLS records
	// (AES-128) and business payloads (AES-192). ct includes the tag.
	GCM(key, nonce, aad, ct []byte)
	// CBC is an AES-128-CBC decryption (key = IV) whose padding was valid.
	CBC(key, ct []byte)
	// Inflate is a zlib (or, with raw, raw deflate) stream inflated
	// without error.
	Inflate(stream []byte, raw bool)
}

// Rec, when set, receives the work. Set it before decrypt runs, from one
// goroutine; the recorder must be safe for concurrent use (decrypt opens
// business packets on several goroutines).
var Rec Recorder
