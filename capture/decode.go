package capture

// This file decodes one captured frame down to its TCP header, by hand
// (see Reader for why not with gopacket). It accepts and rejects headers
// as gopacket's layers decoders did, which FuzzDecodeMatchesGopacket
// checks.

import (
	"encoding/binary"
	"fmt"
)

// linkType is a link-layer header type. pcap and pcapng files carry it
// in 16 bits (pcap's upper 16 bits are flags).
type linkType uint16

// The link-type numbers pcap and pcapng headers carry
// (https://www.tcpdump.org/linktypes.html). DLT_RAW is 12 on
// most systems and 14 on OpenBSD; LINKTYPE_RAW is 101.
const (
	pcapNull     linkType = 0
	pcapEthernet linkType = 1
	pcapRaw12    linkType = 12
	pcapRaw14    linkType = 14
	pcapRaw      linkType = 101
	pcapLoop     linkType = 108
	pcapSLL      linkType = 113
	pcapIPv4     linkType = 228
	pcapIPv6     linkType = 229
	pcapSLL2     linkType = 276
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

func linkTypeName(lt linkType) string {
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
func decode(data []byte, lt linkType, p *Packet) string {
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
	var reason string
	if nw == netIPv4 {
		seg, reason = decodeIPv4(data, p)
	} else {
		seg, reason = decodeIPv6(data, p)
	}
	if reason != "" {
		return reason
	}
	return decodeTCP(seg, p)
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
