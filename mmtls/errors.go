// This file defines the package's error values.

package mmtls

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers branch on them with errors.Is; they usually come
// wrapped in a *parseError or with the unit that failed.
var (
	// errRecordType reports a record type byte outside 0x15, 0x16, 0x17, 0x19.
	// A stream that yields it has lost record framing (or is not MMTLS).
	errRecordType = errors.New("mmtls: bad record type")
	// errRecordVersion reports a record header whose version is not 0xF104.
	errRecordVersion = errors.New("mmtls: bad record version")
	// ErrTagMismatch reports that a record's AES-GCM tag did not verify with
	// the key and nonce tried: wrong key, wrong sequence number, or a
	// corrupted record.
	ErrTagMismatch = errors.New("mmtls: record tag mismatch")
	// errMalformed reports a handshake message, alert or extension whose
	// fields are inconsistent (a length that does not match, a count that
	// overruns, trailing bytes).
	errMalformed = errors.New("mmtls: malformed message")
	// ErrNoSecret reports that no connection secret is known for a record's
	// connection, so it cannot be decrypted.
	ErrNoSecret = errors.New("mmtls: no secret for connection")
	// ErrNoKeys reports an encrypted record that arrived before the keys
	// that protect it can be derived (e.g. the hellos were not seen).
	ErrNoKeys = errors.New("mmtls: no keys for record")
	// errUnexpectedMessage reports a handshake message the state machine
	// did not expect at that point.
	errUnexpectedMessage = errors.New("mmtls: unexpected handshake message")
	// errFinished reports a Finished message whose MAC did not verify.
	errFinished = errors.New("mmtls: bad finished mac")
)

// parseError is a malformed-input error with the byte offset, relative to
// the start of the buffer handed to the parser, where the problem was found.
// Err is a sentinel above (errRecordType, errRecordVersion, errMalformed) or
// a wrapped one that names the field.
type parseError struct {
	Offset int64
	Err    error
}

func (e *parseError) Error() string {
	return fmt.Sprintf("%v (offset %d)", e.Err, e.Offset)
}

func (e *parseError) Unwrap() error { return e.Err }

// malformed returns a *parseError wrapping errMalformed with a field name.
func malformed(off int, what string) error {
	return &parseError{Offset: int64(off), Err: fmt.Errorf("%w: %s", errMalformed, what)}
}
