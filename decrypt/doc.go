// Package decrypt wires the stages that turn a capture and a key log into
// plaintext payloads: capture → reassemble → link (framing) → mmtls (outer
// record decryption) → business (WeChat header, inner decryption, zlib) →
// payload.Payload. It is the engine of `wxaudit decrypt`.
//
// Start with [Run]. It streams: packets are read one at a time, TCP bytes are
// framed as they arrive, and each payload is handed to the caller as soon as
// the records it came from are decrypted. Memory is bounded by the open
// connections: per direction at most one incomplete record or HTTP head
// (link), the reassembler's out-of-order budget (reassemble.Options), and at
// most Options.MaxPendingRecords records waiting for a key that a later
// record of the same direction may reveal (Citizen Lab key logs log a key
// when it is used, so a record may be opened by a key learned later).
// A closed connection is dropped entirely (the reassembler keeps a
// tombstone of about 220 bytes). Measured on the replicated real capture
// (BenchmarkDecrypt, BenchmarkDecryptLiveHeap), an open connection holds about
// 3 KB of live heap: 1 KB of connection state, its undecryptable records
// waiting for a key (about 1 KB on average there), the reassembler's
// state and small buffers; a capture that leaves many connections open
// therefore grows the heap by that much per connection. With
// Options.Workers, packets being opened on other goroutines add at most
// 4 MiB of packets and 1 MiB of output each (order.go); closed
// connections, jobs and, with Options.ReusePayloads, payload buffers are
// reused rather than reallocated.
//
// # Outer keys
//
// A record is opened, in this order, by:
//  1. the connection's secrets (wxaudit secrets key log) through the MMTLS
//     key schedule, when its ClientHello random is in the log;
//  2. a Citizen Lab OUTER line whose tail equals the record's last 8 bytes;
//  3. any key and base IV learned from step 2 on the same connection and
//     direction (base IV = logged nonce XOR logged sequence number,
//     doc/protocol.md §2), with the record's own sequence number.
//
// # Live decoding
//
// With Options.Live, the capture is a stream and the key log grows while it
// is read (live.go): keys are polled between packets and while the stream
// is idle, and records (and business packets missing an inner key) that
// arrived before their key wait for it, also after their connection
// closed, within LiveOptions' bounds; drops are counted in Stats.Live.
//
// A plaintext is accepted only when the GCM tag verifies. Every record and
// payload that is not decrypted is counted in [Stats] with its reason.
package decrypt
