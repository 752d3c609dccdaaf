package capture

// This file decodes IPv4 (RFC 791), IPv6 with its extension headers
// (RFC 8200, RFC 2675 jumbograms) and the TCP header (RFC 9293), by hand:
// see Reader for why not with gopacket.

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// IP protocol numbers.
const (
	protoHopByHop    = 0
	protoICMP        = 1
	protoIGMP        = 2
	protoTCP         = 6
	protoUDP         = 17
	protoRouting     = 43
	protoFragment    = 44
	protoICMPv6      = 58
	protoDestination = 60
)

// optJumbo is the IPv6 Jumbo Payload hop-by-hop option (RFC 2675).
const optJumbo = 0xc2

// decodeIPv4 checks an IPv4 header, sets p's addresses, and returns the
// TCP segment, or the reason to skip the frame.
func decodeIPv4(data []byte, p *Packet) ([]byte, string) {
	if len(data) < 20 {
		return nil, reasonTruncated
	}
	if data[0]>>4 != 4 {
		return nil, reasonBadIPVersion
	}
	hlen := int(data[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(data[2:4]))
	length := total
	if length == 0 { // TCP segmentation offload: the length is the frame's
		length = len(data)
	}
	if length < 20 || hlen < 20 || hlen > length || hlen > len(data) || !ipv4Options(data[20:hlen]) {
		if hlen > len(data) {
			return nil, reasonTruncated
		}
		return nil, reasonBadIP
	}
	if ff := binary.BigEndian.Uint16(data[6:8]); ff&0x2000 != 0 || ff&0x1fff != 0 { // more fragments, offset
		return nil, reasonFragment
	}
	if proto := data[9]; proto != protoTCP {
		return nil, protocolReason(proto)
	}
	if total != 0 && total > len(data) {
		p.Truncated = true
	}
	p.Src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(data[12:16])), 0)
	p.Dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(data[16:20])), 0)
	return data[hlen:min(length, len(data))], ""
}

// ipv4Options reports whether the options of an IPv4 header are well formed.
func ipv4Options(b []byte) bool {
	for len(b) > 0 {
		switch b[0] {
		case 0: // end of options
			return true
		case 1: // no operation
			b = b[1:]
		default:
			if len(b) < 2 || int(b[1]) > len(b) || b[1] < 2 {
				return false
			}
			b = b[b[1]:]
		}
	}
	return true
}

// decodeIPv6 checks an IPv6 header and its extension headers, sets p's
// addresses, and returns the TCP segment, or the reason to skip the frame.
func decodeIPv6(data []byte, p *Packet) ([]byte, string) {
	if len(data) < 40 {
		return nil, reasonTruncated
	}
	if data[0]>>4 != 6 {
		return nil, reasonBadIPVersion
	}
	plen, next := int(binary.BigEndian.Uint16(data[4:6])), data[6]
	payload := data[40:]
	if plen != 0 {
		if plen > len(payload) {
			p.Truncated = true
		} else {
			payload = payload[:plen]
		}
	}
	// A hop-by-hop header belongs to the IPv6 header: it may carry the
	// jumbogram length that a payload length of 0 announces.
	if next == protoHopByHop {
		n, ok := extLen(payload)
		if !ok {
			return nil, reasonBadIP
		}
		jumbo, ok := jumboLength(payload[2:n])
		switch {
		case !ok || (jumbo != 0) != (plen == 0):
			return nil, reasonBadIP
		case jumbo != 0:
			end := int(min(uint64(jumbo), uint64(len(payload))))
			if end < n {
				return nil, reasonBadIP
			}
			payload = payload[:end]
		}
		next, payload = payload[0], payload[n:]
	} else if plen == 0 {
		return nil, reasonBadIP
	}
	for n := 0; next != protoTCP; n++ {
		if n == maxIPv6ExtHeaders {
			return nil, "too many ipv6 extension headers"
		}
		switch next {
		case protoFragment:
			return nil, reasonFragment
		case protoRouting, protoDestination, protoHopByHop:
			l, ok := extLen(payload)
			if !ok {
				return nil, reasonTruncated
			}
			next, payload = payload[0], payload[l:]
		default:
			return nil, protocolReason(next)
		}
	}
	p.Src = netip.AddrPortFrom(netip.AddrFrom16([16]byte(data[8:24])), 0)
	p.Dst = netip.AddrPortFrom(netip.AddrFrom16([16]byte(data[24:40])), 0)
	return payload, ""
}

// extLen returns the length of the IPv6 extension header at the start of
// b, and whether b holds all of it.
func extLen(b []byte) (int, bool) {
	if len(b) < 2 {
		return 0, false
	}
	n := int(b[1])*8 + 8
	return n, n <= len(b)
}

// jumboLength returns the Jumbo Payload length among hop-by-hop options
// (0 if there is none), and false if the options are malformed or the
// length is invalid.
func jumboLength(opts []byte) (uint32, bool) {
	var jumbo []byte
	found := false
	for len(opts) > 0 {
		if opts[0] == 0 { // Pad1
			opts = opts[1:]
			continue
		}
		if len(opts) < 2 || int(opts[1])+2 > len(opts) {
			return 0, false
		}
		if opts[0] == optJumbo && !found {
			jumbo, found = opts[2:2+int(opts[1])], true
		}
		opts = opts[2+int(opts[1]):]
	}
	if !found {
		return 0, true
	}
	if len(jumbo) != 4 {
		return 0, false
	}
	l := binary.BigEndian.Uint32(jumbo)
	return l, l > 0xffff
}

// decodeTCP reads a TCP header into p and sets p.Payload, or returns the
// reason to skip the frame. TCP options are not needed and not parsed.
func decodeTCP(seg []byte, p *Packet) string {
	if len(seg) < 20 {
		return reasonTruncated
	}
	off := int(seg[12]>>4) * 4
	if off > len(seg) {
		if p.Truncated {
			return reasonTruncated
		}
		return reasonBadTCP
	}
	if off < 20 {
		return reasonBadTCP
	}
	p.Src = netip.AddrPortFrom(p.Src.Addr(), binary.BigEndian.Uint16(seg[0:2]))
	p.Dst = netip.AddrPortFrom(p.Dst.Addr(), binary.BigEndian.Uint16(seg[2:4]))
	p.Seq, p.Ack = binary.BigEndian.Uint32(seg[4:8]), binary.BigEndian.Uint32(seg[8:12])
	p.Flags = TCPFlags(seg[13])
	p.Window = binary.BigEndian.Uint16(seg[14:16])
	p.Payload = seg[off:]
	return ""
}

// protocolReason names a non-TCP IP protocol.
func protocolReason(proto uint8) string {
	switch proto {
	case protoUDP:
		return reasonUDP
	case protoICMP:
		return reasonICMP
	case protoICMPv6:
		return reasonICMPv6
	case protoIGMP:
		return reasonIGMP
	}
	return fmt.Sprintf("ip protocol %d", proto)
}
