// This file renders nodes as text.

package schemaless

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
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

// Format writes the protoscope-like text view of m to w: one line per node,
// indented by depth, "field[name]: value  # chain confidence".
func Format(w io.Writer, m *Tree) error {
	var buf bytes.Buffer
	var err error
	flush := func() {
		if err == nil && buf.Len() > 32<<10 {
			_, err = w.Write(buf.Bytes())
			buf.Reset()
		}
	}
	if m == nil || m.Root == nil {
		return nil
	}
	if m.Root.Kind != KindMessage || m.Root.Reason != "" {
		fmt.Fprintf(&buf, "# %s", chainString(m.Root.Chain))
		if m.Root.Reason != "" {
			fmt.Fprintf(&buf, ": %s", m.Root.Reason)
		}
		buf.WriteByte('\n')
	}
	if len(m.Root.Children) == 0 && m.Root.Kind != KindMessage {
		writeNode(&buf, m.Root, 0)
	}
	for _, c := range m.Root.Children {
		c.Walk(func(n *Node, depth int) bool {
			writeNode(&buf, n, depth)
			flush()
			return true
		})
	}
	if m.Stopped < m.Size {
		fmt.Fprintf(&buf, "# parsing stopped at offset %d of %d\n", m.Stopped, m.Size)
	}
	if len(m.Budgets) > 0 {
		fmt.Fprintf(&buf, "# budgets exhausted: %s\n", strings.Join(m.Budgets, ", "))
	}
	if err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func chainString(c []Kind) string {
	s := make([]string, len(c))
	for i, k := range c {
		s[i] = k.String()
	}
	return strings.Join(s, " → ")
}

// label returns the node's own path segment.
func label(n *Node) string {
	switch {
	case n.Key != "":
		return n.Key
	case n.Field != 0 && n.Wire == WireNone:
		return "[" + strconv.Itoa(n.Index) + "]"
	case n.Field != 0:
		return strconv.Itoa(int(n.Field))
	case n.Wire == WireNone && n.Path != "":
		return "[" + strconv.Itoa(n.Index) + "]"
	}
	return "$"
}

func writeNode(buf *bytes.Buffer, n *Node, depth int) {
	for range depth {
		buf.WriteString("  ")
	}
	buf.WriteString(label(n))
	if n.Name != "" {
		buf.WriteString(" ")
		buf.WriteString(n.Name)
	}
	buf.WriteString(":")
	// Containers show no value: their children follow, indented.
	if len(n.Children) == 0 {
		buf.WriteByte(' ')
		switch n.Kind {
		case KindString, KindURLEncoded:
			buf.WriteString(strconv.Quote(n.Text))
		case KindBytes, KindOpaque:
			b := n.Bytes
			if len(b) > 64 {
				fmt.Fprintf(buf, "%d bytes `%x…`", len(b), b[:64])
			} else {
				fmt.Fprintf(buf, "`%x`", b)
			}
		case KindMessage, KindJSON, KindXML, KindGroup:
			buf.WriteString("{}")
		default:
			buf.WriteString(valueString(n))
		}
	}
	fmt.Fprintf(buf, "  # %s %.2f", chainString(n.Chain), n.Confidence)
	if len(n.Hints) > 0 {
		buf.WriteString(" ")
		buf.WriteString(strings.Join(n.Hints, " "))
	}
	if n.Budget != "" {
		buf.WriteString(" budget=" + n.Budget)
	}
	if n.Reason != "" {
		buf.WriteString(" (" + n.Reason + ")")
	}
	buf.WriteByte('\n')
}
