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
func Fields(m *schemaless.Message, dst []classify.Field) []classify.Field {
	// chains[d] is the accumulated chain of the node at depth d, so a value
	// inside a report line knows it is in one.
	var chains [][]string
	m.Walk(func(n *schemaless.Node, depth int) bool {
		chains = chains[:depth]
		var chain []string
		if depth > 0 {
			chain = chains[depth-1]
		}
		chain = append(chain[:len(chain):len(chain)], chainNames(n)...)
		chains = append(chains, chain)
		f := classify.Field{Path: n.Path, Chain: chain}
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
