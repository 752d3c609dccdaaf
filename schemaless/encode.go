// This file re-encodes a decoded tree to protobuf wire format, the inverse
// of Decode for the protobuf layers (used to check that nothing was lost).

package schemaless

import "google.golang.org/protobuf/encoding/protowire"

// Encode re-encodes m's protobuf structure: tags from Field and Wire,
// varints and fixed values from Uint, nested messages, packed values and
// groups from their children, and every other length-delimited value (text,
// bytes, compressed data) from its raw bytes src[Span]. src must be the
// input given to Decode. For a complete, minimally encoded message the
// result equals src; a root that is not a message is returned as src.
func Encode(m *Tree, src []byte) []byte {
	if m == nil || m.Root == nil || m.Root.Kind != KindMessage || len(m.Root.Chain) != 1 {
		return append([]byte(nil), src...)
	}
	return appendFields(nil, m.Root, src)
}

func appendFields(b []byte, n *Node, src []byte) []byte {
	for _, c := range n.Children {
		if c.Wire == WireNone {
			// Unparsed remainder kept as bytes.
			b = append(b, rawSpan(c, src)...)
			continue
		}
		num := protowire.Number(c.Field)
		switch c.Wire {
		case WireVarint:
			b = protowire.AppendTag(b, num, protowire.VarintType)
			if hasHint(c, "non-minimal varint") {
				b = append(b, rawSpan(c, src)...)
			} else {
				b = protowire.AppendVarint(b, c.Uint)
			}
		case WireFixed32:
			b = protowire.AppendTag(b, num, protowire.Fixed32Type)
			b = protowire.AppendFixed32(b, uint32(c.Uint))
		case WireFixed64:
			b = protowire.AppendTag(b, num, protowire.Fixed64Type)
			b = protowire.AppendFixed64(b, c.Uint)
		case WireStartGroup:
			b = protowire.AppendTag(b, num, protowire.StartGroupType)
			if c.Kind == KindGroup {
				b = appendFields(b, c, src)
			} else {
				b = append(b, rawSpan(c, src)...)
			}
			b = protowire.AppendTag(b, num, protowire.EndGroupType)
		case WireBytes:
			b = protowire.AppendTag(b, num, protowire.BytesType)
			var v []byte
			switch {
			case len(c.Chain) == 1 && c.Kind == KindMessage:
				v = appendFields(nil, c, src)
			case len(c.Chain) == 1 && c.Kind == KindPacked && c.Budget == "":
				for _, e := range c.Children {
					v = protowire.AppendVarint(v, e.Uint)
				}
			default:
				v = rawSpan(c, src)
			}
			b = protowire.AppendBytes(b, v)
		}
	}
	return b
}

// rawSpan returns the bytes of a non-derived node's span, or nil when the
// span does not fit src.
func rawSpan(n *Node, src []byte) []byte {
	if n.Derived || n.Span.Offset < 0 || n.Span.Length < 0 || n.Span.End() > len(src) {
		return nil
	}
	return src[n.Span.Offset:n.Span.End()]
}

func hasHint(n *Node, h string) bool {
	for _, x := range n.Hints {
		if x == h {
			return true
		}
	}
	return false
}
