// Package mmtls implements WeChat's MMTLS protocol: the record layer, the
// handshake messages, the key schedule, a passive decrypter that turns
// recorded traffic plus per-connection secrets into plaintext, and client and
// server endpoints that produce real MMTLS traffic for tests and synthetic
// captures. The protocol is described in doc/protocol.md, sections 2 and 3, and
// doc/keylog.md; where the published notes and measured
// traffic disagree, this package follows the measurements.
//
// # Where to start
//
//   - Framing: ParseRecord, IsPlaintext.
//   - Decrypting with a per-record key log (Citizen Lab format): BaseIV to
//     recover the base IV from a logged nonce (RecordNonce is its inverse),
//     then XORNonceAEAD to open many records with one key without
//     allocating.
//   - Decrypting with connection secrets: Session, fed every record of a
//     connection in per-direction order.
//   - Producing traffic: Client and Server (see endpoint.go).
//   - Handshake messages: ParseClientHello and ParseServerHello for the
//     hellos sent in the clear; the other messages and the key schedule are
//     internal (handshake_messages.go, key_schedule.go).
//
// # Contract
//
// Parsers are total: hostile input yields an error (an error carrying the
// offset for malformed bytes, io.ErrUnexpectedEOF for truncation), never a
// panic. Every length and count read from the wire is checked against the
// bytes actually present before anything is allocated.
//
// # Memory
//
// A record is at most recordHeaderLen+maxRecordLen (64 KiB) bytes; the
// record reader buffers one record. Parsed messages alias the buffer they were parsed from
// unless documented otherwise. A Session keeps, per connection, the
// transcript hash state, a few keys and at most one pending record per
// direction; it never buffers application data.
//
// Key material and plaintext are secrets: nothing in this package logs them.
package mmtls
