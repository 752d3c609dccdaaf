package capture

// This file decodes one captured frame down to its TCP header: the link
// layers are fixed-size headers parsed here, IP and TCP use gopacket's
// layers decoders, reused from frame to frame.

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// The link-type numbers pcap and pcapng headers carry
// (https://www.tcpdump.org/linktypes.html). DLT_RAW is 12 on
// most systems and 14 on OpenBSD; LINKTYPE_RAW is 101.
const (
	pcapNull     layers.LinkType = 0
	pcapEthernet layers.LinkType = 1
	pcapRaw12    layers.LinkType = 12
	pcapRaw14    layers.LinkType = 14
	pcapRaw      layers.LinkType = 101
	pcapLoop     layers.LinkType = 108
	pcapSLL      layers.LinkType = 113
	pcapIPv4     layers.LinkType = 228
	pcapIPv6     layers.LinkType = 229
	pcapSLL2     layers.LinkType = 276
)

// EtherTypes used below.
const (
	etherTypeIPv4  = 0x0800
	etherTypeARP   = 0x0806
	etherTypeVLAN  = 0x8100
	etherTypeQinQ  = 0x88a8
	etherTypeQinQ2 = 0x9100
	etherTypeIPv6  = 0x86dd
)

// Header lengths and bounds.
const (
	ethernetHeaderLen = 14
	vlanTagLen        = 4
	maxVLANTags       = 4 // more stacked tags than this is garbage, not traffic
	sllHeaderLen      = 16
	sll2HeaderLen     = 20
	nullHeaderLen     = 4
	maxIPv6ExtHeaders = 8
)

// Skip reasons that are not formatted from a number.
const (
	reasonTruncated    = "truncated frame"
	reasonFragment     = "ip fragment"
	reasonBadIP        = "bad ip header"
	reasonBadTCP       = "bad tcp header"
	reasonARP          = "arp"
	reasonUDP          = "udp"
	reasonICMP         = "icmp"
	reasonICMPv6       = "icmpv6"
	reasonIGMP         = "igmp"
	reasonBadIPVersion = "bad ip version"
)

func linkTypeName(lt layers.LinkType) string {
	switch lt {
	case pcapNull:
		return "null"
	case pcapEthernet:
		return "ethernet"
	case pcapRaw, pcapRaw12, pcapRaw14:
		return "raw ip"
	case pcapIPv4:
		return "raw ipv4"
	case pcapIPv6:
		return "raw ipv6"
	case pcapLoop:
		return "loop"
	case pcapSLL:
		return "linux sll"
	case pcapSLL2:
		return "linux sll2"
	}
	return fmt.Sprintf("link type %d", uint32(lt))
}

// network identifies the layer after the link header.
type network uint8

const (
	netUnknown network = iota
	netIPv4
	netIPv6
)

// decode fills p from a frame of link type lt. It returns "" for a TCP
// packet, else the reason the frame is skipped.
func (r *Reader) decode(data []byte, lt layers.LinkType, p *Packet) string {
	var nw network
	// Ethernet and Linux cooked headers name the network by EtherType.
	var etherType uint16
	ether := false
	switch lt {
	case pcapEthernet:
		if len(data) < ethernetHeaderLen {
			return reasonTruncated
		}
		etherType, ether = binary.BigEndian.Uint16(data[12:14]), true
		data = data[ethernetHeaderLen:]
		for tags := 0; etherType == etherTypeVLAN || etherType == etherTypeQinQ || etherType == etherTypeQinQ2; tags++ {
			if tags == maxVLANTags {
				return "too many vlan tags"
			}
			if len(data) < vlanTagLen {
				return reasonTruncated
			}
			etherType = binary.BigEndian.Uint16(data[2:4])
			data = data[vlanTagLen:]
		}
	case pcapSLL, pcapSLL2:
		// SLL has the protocol at bytes 14-15 of 16, SLL2 at bytes 0-1 of 20.
		hdrLen, at := sllHeaderLen, 14
		if lt == pcapSLL2 {
			hdrLen, at = sll2HeaderLen, 0
		}
		if len(data) < hdrLen {
			return reasonTruncated
		}
		etherType, ether = binary.BigEndian.Uint16(data[at:at+2]), true
		data = data[hdrLen:]
	case pcapNull, pcapLoop:
		if len(data) < nullHeaderLen {
			return reasonTruncated
		}
		// Null is in the capturing host's byte order, which the file does
		// not record: families are small, so the non-zero half tells.
		fam := binary.BigEndian.Uint32(data[:4])
		if lt == pcapNull && fam > 0xffff {
			fam = binary.LittleEndian.Uint32(data[:4])
		}
		data = data[nullHeaderLen:]
		switch fam {
		case 2:
			nw = netIPv4
		case 10, 24, 28, 30: // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, Darwin
			nw = netIPv6
		default:
			return fmt.Sprintf("address family %d", fam)
		}
	case pcapRaw, pcapRaw12, pcapRaw14, pcapIPv4, pcapIPv6:
		if len(data) < 1 {
			return reasonTruncated
		}
		switch data[0] >> 4 {
		case 4:
			nw = netIPv4
		case 6:
			nw = netIPv6
		default:
			return reasonBadIPVersion
		}
	default:
		return fmt.Sprintf("unsupported link type %d", uint32(lt))
	}
	if ether {
		var reason string
		if nw, reason = etherNetwork(etherType); reason != "" {
			return reason
		}
	}

	var seg []byte
	switch nw {
	case netIPv4:
		if len(data) < 20 {
			return reasonTruncated
		}
		if data[0]>>4 != 4 {
			return reasonBadIPVersion
		}
		if err := r.ip4.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			if int(data[0]&0x0f)*4 > len(data) {
				return reasonTruncated
			}
			return reasonBadIP
		}
		if r.ip4.Flags&layers.IPv4MoreFragments != 0 || r.ip4.FragOffset != 0 {
			return reasonFragment
		}
		if r.ip4.Protocol != layers.IPProtocolTCP {
			return protocolReason(r.ip4.Protocol)
		}
		if r.ip4.Length != 0 && int(r.ip4.Length) > len(data) {
			p.Truncated = true
		}
		src, dst := [4]byte(r.ip4.SrcIP), [4]byte(r.ip4.DstIP)
		p.Src = netip.AddrPortFrom(netip.AddrFrom4(src), 0)
		p.Dst = netip.AddrPortFrom(netip.AddrFrom4(dst), 0)
		seg = r.ip4.Payload
	case netIPv6:
		if len(data) < 40 {
			return reasonTruncated
		}
		if data[0]>>4 != 6 {
			return reasonBadIPVersion
		}
		if err := r.ip6.DecodeFromBytes(data, gopacket.NilDecodeFeedback); err != nil {
			return reasonBadIP
		}
		if int(r.ip6.Length) > len(data)-40 {
			p.Truncated = true
		}
		next, payload := r.ip6.NextHeader, r.ip6.Payload
		if r.ip6.HopByHop != nil {
			next = r.ip6.HopByHop.NextHeader
		}
		for n := 0; next != layers.IPProtocolTCP; n++ {
			if n == maxIPv6ExtHeaders {
				return "too many ipv6 extension headers"
			}
			switch next {
			case layers.IPProtocolIPv6Fragment:
				return reasonFragment
			case layers.IPProtocolIPv6Routing, layers.IPProtocolIPv6Destination, layers.IPProtocolIPv6HopByHop:
				if err := r.ext.DecodeFromBytes(payload, gopacket.NilDecodeFeedback); err != nil {
					return reasonTruncated
				}
				next, payload = r.ext.NextHeader, r.ext.Payload
			default:
				return protocolReason(next)
			}
		}
		src, dst := [16]byte(r.ip6.SrcIP), [16]byte(r.ip6.DstIP)
		p.Src = netip.AddrPortFrom(netip.AddrFrom16(src), 0)
		p.Dst = netip.AddrPortFrom(netip.AddrFrom16(dst), 0)
		seg = payload
	default:
		panic("capture: internal error: no network layer")
	}

	if len(seg) < 20 {
		return reasonTruncated
	}
	if int(seg[12]>>4)*4 > len(seg) {
		if p.Truncated {
			return reasonTruncated
		}
		return reasonBadTCP
	}
	if err := r.tcp.DecodeFromBytes(seg, gopacket.NilDecodeFeedback); err != nil {
		return reasonBadTCP
	}
	p.Src = netip.AddrPortFrom(p.Src.Addr(), uint16(r.tcp.SrcPort))
	p.Dst = netip.AddrPortFrom(p.Dst.Addr(), uint16(r.tcp.DstPort))
	p.Seq, p.Ack = r.tcp.Seq, r.tcp.Ack
	p.Flags = TCPFlags(seg[13])
	p.Window = r.tcp.Window
	p.Payload = r.tcp.Payload
	return ""
}

// etherNetwork maps an EtherType to the network layer, or a skip reason.
func etherNetwork(et uint16) (network, string) {
	switch et {
	case etherTypeIPv4:
		return netIPv4, ""
	case etherTypeIPv6:
		return netIPv6, ""
	case etherTypeARP:
		return netUnknown, reasonARP
	}
	return netUnknown, fmt.Sprintf("ethertype 0x%04x", et)
}

// protocolReason names a non-TCP IP protocol.
func protocolReason(p layers.IPProtocol) string {
	switch p {
	case layers.IPProtocolUDP:
		return reasonUDP
	case layers.IPProtocolICMPv4:
		return reasonICMP
	case layers.IPProtocolICMPv6:
		return reasonICMPv6
	case layers.IPProtocolIGMP:
		return reasonIGMP
	}
	return fmt.Sprintf("ip protocol %d", uint8(p))
}

func linkTypeFromUint(v uint32) layers.LinkType { return layers.LinkType(v) }
