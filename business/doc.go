// Package business implements the WeChat business layer carried inside
// MMTLS application data (doc/protocol.md, sections 4 and 5): the Shortlink
// request envelope, Longlink packets, the WeChat header (0xBF …), inner
// AES-CBC and AES-GCM decryption (algo 5, 13 and the hybrid-ECDH algo 12 of
// the auth exchange), zlib, and the header signature.
//
// Start with [Open]: it takes one business packet, finds its inner key
// through [Keys] (satisfied by *keylog.Log) and the [AuthState] learned from
// earlier packets (the session key and signature key of the auth
// response), and returns a [Packet] of [Plaintext] parts. For the framing
// around it use [ParseShortlinkRequest] and [LonglinkReader].
//
// # Measured layout (capture-logged-in-all-keys)
//
//   - Header varints after the cookie: request type, uncompressed length,
//     compressed length, server key version (10007 in the auth request, 0
//     otherwise), a field that is 2 in requests, the signature (0 in
//     responses and the auth request), then further fields kept raw.
//   - Algo 12 request body (protobuf): 1 version (1), 2 {1 curve NID 415,
//     2 client P-256 public key (65 bytes)}, 3 and 4 the client random
//     (zlib, then AES-192-GCM, one key each, same AAD), 5 the payload.
//     Response body: 1 {1 NID, 2 server public key}, 2 varint (2),
//     3 the payload, 4 empty. Each blob is ciphertext | IV (12) | tag (16).
//     The AAD is 32 bytes (a SHA-256) but not of any contiguous slice of the
//     packet nor of simple concatenations of its parts; Open takes it from
//     the key log. The synthetic sealer here uses its own documented rule.
//   - The signature key K is the AES-CBC key that decrypts the 32-byte field
//     3.3.2 of the auth response payload; that field decrypts to the
//     16-byte session key of every later AES-CBC payload. Fields 3.23.2 and
//     3.24.2 hold the 24-byte AES-GCM keys later used by newsync (client
//     to server and server to client).
//   - Algo 13 bodies are always zlib before encryption, whatever the
//     header's compress bits say.
//
// # Bounds
//
// Every length read from the wire is checked against the bytes present
// before use. Inflation is capped ([DefaultMaxInflate] or
// AuthState.MaxInflate): a zlib bomb fails with a
// reason instead of costing memory. [LonglinkReader]
// buffers at most [MaxLonglinkPacket] bytes. Open never logs key material
// or plaintext.
package business
