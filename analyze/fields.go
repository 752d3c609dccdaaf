package analyze

import (
	"github.com/wxaudit/wxaudit/classify"
	"github.com/wxaudit/wxaudit/schemaless"
)

// Fields flattens a decoded tree into the classifier's leaves, in pre-order,
// appending to dst. Textual containers (JSON, XML, query strings, report
// lines, percent-encoded text) are emitted too, marked Container, so
// endpoint rules can name a whole report line while value detectors look at
// its parts.
func Fields(m *schemaless.Tree, dst []classify.Field) []classify.Field {
	// chains[d] is the accumulated chain of the node at depth d, so a value
	// inside a report line knows it is in one; entries[d] the entry that
	// holds it and spans[d] its span in the payload.
	var chains [][]string
	var entries []int
	outer := map[int]int{} // entry → the entry holding it
	var spans [][2]int
	var parents []*schemaless.Node
	nextEntry := 0
	m.Walk(func(n *schemaless.Node, depth int) bool {
		chains = chains[:depth]
		entries = entries[:depth]
		spans = spans[:depth]
		parents = parents[:depth]
		var chain []string
		entry := 0
		span := [2]int{n.Span.Offset, n.Span.Length}
		if depth > 0 {
			chain = chains[depth-1]
			entry = entries[depth-1]
			if n.Derived {
				span = spans[depth-1]
			}
			if isEntry(n, parents[depth-1]) {
				nextEntry++
				outer[nextEntry] = entry
				entry = nextEntry
			}
		}
		chain = append(chain[:len(chain):len(chain)], chainNames(n)...)
		chains = append(chains, chain)
		entries = append(entries, entry)
		spans = append(spans, span)
		parents = append(parents, n)
		f := classify.Field{Path: n.Path, Chain: chain, Entry: entry, Outer: outer[entry], Span: span}
		if len(n.Children) > 0 {
			switch n.Kind {
			case schemaless.KindJSON, schemaless.KindXML, schemaless.KindQuery,
				schemaless.KindReportLine, schemaless.KindURLEncoded:
				if n.Text != "" {
					f.Kind, f.Text, f.Container = classify.KindText, n.Text, true
					dst = append(dst, f)
				}
			}
			return true
		}
		switch n.Kind {
		case schemaless.KindString, schemaless.KindURLEncoded:
			f.Kind, f.Text = classify.KindText, n.Text
		case schemaless.KindNumber:
			f.Kind, f.Text, f.Float, f.HasFloat = classify.KindNumber, n.Text, n.Float, true
		case schemaless.KindBytes:
			f.Kind, f.Bytes = classify.KindBytes, n.Bytes
		case schemaless.KindOpaque:
			f.Kind, f.Bytes = classify.KindOpaque, n.Bytes
		case schemaless.KindVarint, schemaless.KindBool:
			f.Kind, f.Uint = classify.KindVarint, n.Uint
		case schemaless.KindFixed32:
			f.Kind, f.Uint, f.Float, f.HasFloat = classify.KindFixed32, n.Uint, n.Float, n.HasFloat
		case schemaless.KindFixed64:
			f.Kind, f.Uint, f.Float, f.HasFloat = classify.KindFixed64, n.Uint, n.Float, n.HasFloat
		default:
			return true
		}
		dst = append(dst, f)
		return true
	})
	return dst
}

// isEntry reports whether n is one event of a batch: a report line, or one
// element of a repeated field (a sibling shares its field or key).
func isEntry(n, parent *schemaless.Node) bool {
	if n.Kind == schemaless.KindReportLine {
		return true
	}
	if len(n.Children) == 0 {
		return false // a repeated scalar is a list of values, not a batch of events
	}
	if n.Index > 0 {
		return true
	}
	// The first element of a repeated field has Index 0: it is an entry
	// when a later sibling repeats its field or key. Repeated elements are
	// adjacent on the wire in practice, so the next sibling decides.
	for i, s := range parent.Children {
		if s == n {
			return i+1 < len(parent.Children) && parent.Children[i+1].Field == n.Field && parent.Children[i+1].Key == n.Key
		}
	}
	return false
}

// chainNames converts decoder kinds to the classifier's encoding names.
func chainNames(n *schemaless.Node) []string {
	if len(n.Chain) == 0 {
		return []string{n.Kind.String()}
	}
	out := make([]string, len(n.Chain))
	for i, k := range n.Chain {
		out[i] = k.String()
	}
	return out
}
