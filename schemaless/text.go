// This file renders nodes as text.

package schemaless

import (
	"encoding/hex"
	"strconv"
)

// valueString returns a printable one-line form of a node's value.
func valueString(n *Node) string {
	if n == nil {
		return ""
	}
	switch n.Kind {
	case KindVarint, KindBool:
		return strconv.FormatUint(n.Uint, 10)
	case KindFixed32, KindFixed64:
		s := strconv.FormatUint(n.Uint, 10)
		if n.HasFloat {
			s += " (" + strconv.FormatFloat(n.Float, 'g', -1, 64) + ")"
		}
		return s
	case KindBytes, KindOpaque:
		return hex.EncodeToString(n.Bytes)
	case KindNull:
		return "null"
	}
	return n.Text
}
