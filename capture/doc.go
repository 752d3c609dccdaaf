// Package capture reads TCP packets from pcap and pcapng captures, and writes
// synthetic ones. It is the first stage of the wxaudit pipeline: the packets it
// returns feed package reassemble, which rebuilds the MMTLS byte streams
// described in doc/protocol.md.
//
// Start with NewReader and call Next until io.EOF:
//
//	r, err := capture.NewReader(f) // f may be os.Stdin fed by `tcpdump -w -`
//	for {
//		p, err := r.Next()
//		if err == io.EOF { break }
//		...
//	}
//
// # Formats
//
// The format is chosen by the magic number, never by the file name: classic
// pcap in both byte orders with microsecond or nanosecond timestamps, pcapng
// (also with interfaces of different link types), each optionally gzipped.
// Link types: Ethernet (with VLAN tags), raw IP (101, 12, 14, 228, 229), Linux
// SLL (113) and SLL2 (276), BSD null (0) and loop (108). IPv4 and IPv6 with
// extension headers. IP fragments are not reassembled: they are counted as
// skipped with the reason "ip fragment".
//
// Next returns TCP packets only. Every other frame is counted by reason in
// Stats, so nothing disappears silently.
//
// # Memory
//
// The input is streamed: one record is held at a time, in the read buffer
// (or, past 64 KiB, a buffer reused from frame to frame), so memory is
// bounded by the largest record (at most 256 KiB in practice, and record
// lengths from the file are never trusted for allocation beyond what is
// read). Packet.Payload aliases that buffer; Next does not allocate.
//
// The file formats, IP and TCP are parsed by hand, not with gopacket (see
// Reader); tests check the parsers against gopacket's.
package capture
