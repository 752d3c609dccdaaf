// Package reassemble turns captured TCP segments into in-order byte streams,
// one per connection and Direction. It is the second stage of the wxaudit
// pipeline: package capture produces the segments, and each direction's
// bytes are what the MMTLS record layer of doc/protocol.md is parsed from.
//
// Create an Assembler with a Handler, Add every capture.Packet in capture
// order, and call Flush at the end of the capture. The Handler's Stream
// receives each direction's bytes in order, exactly once, with Gap calls
// where bytes are known to be missing.
//
// # Behaviour
//
//   - Out-of-order segments are buffered until the hole before them is
//     filled; exact and partial retransmissions are trimmed so every byte is
//     delivered once (the bytes a partial overlap adds are kept).
//   - A connection is identified by its two endpoints. The sender of a SYN
//     without ACK is the client, the sender of a SYN-ACK the server; without
//     a handshake the first packet's sender is the client unless only its
//     port looks like a server port (below 1024, 8080 or 8443).
//   - A direction seen without its SYN starts at the first sequence number
//     seen (offset 0); bytes from before that point are dropped as old.
//   - Sequence numbers wrap around; offsets are 64-bit.
//   - Connections end with Close("fin") once both FINs are delivered,
//     Close("rst") on a RST, Close("timeout") after Options.IdleTimeout of
//     capture time without packets, Close("limit") when Options.MaxConns
//     forces the least recently seen connection out, and
//     Close("end of capture") from Flush.
//
// # Memory
//
// Only out-of-order bytes are copied and buffered. Each connection buffers
// at most Options.MaxBufferedBytesPerConn and all connections together at
// most Options.MaxBufferedBytesTotal (each limit may be exceeded by one
// segment while it is inserted). When a limit is hit the assembler skips
// ahead over the oldest hole: it reports the hole with Gap (reason
// "buffer limit"), counts it in Stats and delivers the buffered bytes after
// it. Nothing is dropped silently and nothing grows without bound. At most
// Options.MaxConns connections, open or recently closed, are tracked.
//
// Per connection: an open one costs about 450 bytes here (its state and
// map entry) plus its buffered out-of-order bytes and whatever its Stream
// keeps; a closed one is kept only as a tombstone of its endpoints and
// last-seen time, about 220 bytes with its map entry, so tombstones never
// cost more than about MaxConns × 220 bytes (14 MB at the default).
//
// In-order segments are passed to Stream.Data straight from the packet,
// without copying and without allocation.
//
// # Why not gopacket/reassembly
//
// The package is written by hand rather than on top of
// github.com/gopacket/gopacket/reassembly because that package cannot carry
// what this API promises: its ScatterGather exposes only a per-offset
// CaptureInfo lookup, not the boundaries of the frames that make up a
// delivery (Segment.Frame); its ReassemblyComplete gives no close reason;
// it has no connection limit; it decides directions by the first packet
// only; and its per-packet entry point takes *layers.TCP and gopacket.Flow,
// which the capture stage deliberately keeps out of its API.
package reassemble
