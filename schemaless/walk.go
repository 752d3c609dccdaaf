// This file implements iteration over the decoded tree.

package schemaless

import "iter"

// Walk calls fn for every node of the tree in pre-order (parents before
// children, children in wire order). depth is 0 for Root. When fn returns
// false the node's children are skipped.
func (m *Tree) Walk(fn func(n *Node, depth int) bool) {
	if m == nil || m.Root == nil {
		return
	}
	walk(m.Root, 0, fn)
}

// Walk calls fn for n and its descendants in pre-order; see Tree.Walk.
func (n *Node) Walk(fn func(n *Node, depth int) bool) {
	if n != nil {
		walk(n, 0, fn)
	}
}

func walk(n *Node, depth int, fn func(*Node, int) bool) {
	// The tree depth is bounded by Options.MaxDepth, so recursion is safe.
	if !fn(n, depth) {
		return
	}
	for _, c := range n.Children {
		walk(c, depth+1, fn)
	}
}

// Leaf is a node without children, with the context a consumer needs to
// judge it without walking back up the tree.
type Leaf struct {
	Path  string
	Name  string // the node's Name, or the nearest named ancestor's Name + "." + suffix
	Kind  Kind
	Chain []Kind // the chain of interpretations from the input to this value
	Text  string
	Bytes []byte
	Uint  uint64
	Float float64
	// HasFloat is set when Float is meaningful (fixed32/64, JSON number).
	HasFloat bool
	// Span is the leaf's span in its own buffer (see Node.Span); Orig is the
	// span in the original input: the leaf's own when not Derived, else the
	// span of the outermost transform holding it.
	Span    Span
	Orig    Span
	Derived bool
	Node    *Node
}

// Value returns a printable form of the leaf's value.
func (l Leaf) Value() string { return valueString(l.Node) }

// Leaves returns every leaf of the tree in pre-order. Chains accumulate the
// interpretations of all ancestors, so a JSON value inside a zlib-compressed
// field has a chain like [bytes zlib message string json string].
func (m *Tree) Leaves() iter.Seq[Leaf] {
	return func(yield func(Leaf) bool) {
		if m == nil || m.Root == nil {
			return
		}
		leaves(m.Root, nil, "", Span{}, false, yield)
	}
}

func leaves(n *Node, chain []Kind, name string, orig Span, derived bool, yield func(Leaf) bool) bool {
	full := make([]Kind, 0, len(chain)+len(n.Chain)+1)
	full = append(full, chain...)
	if len(n.Chain) > 0 {
		full = append(full, n.Chain...)
	} else {
		full = append(full, n.Kind)
	}
	switch {
	case n.Name != "":
		name = n.Name
	case name != "" && n.Key != "":
		name += "." + n.Key
	case name != "" && n.Field != 0:
		name += "." + itoa(int(n.Field))
	}
	if !derived && !n.Derived {
		orig = n.Span
	}
	// Once inside a transform every descendant is derived.
	derived = derived || isTransform(n)
	if len(n.Children) == 0 {
		return yield(Leaf{
			Path: n.Path, Name: name, Kind: n.Kind, Chain: full,
			Text: n.Text, Bytes: n.Bytes, Uint: n.Uint, Float: n.Float, HasFloat: n.HasFloat,
			Span: n.Span, Orig: orig, Derived: n.Derived, Node: n,
		})
	}
	for _, c := range n.Children {
		if !leaves(c, full, name, orig, derived, yield) {
			return false
		}
	}
	return true
}

// isTransform reports whether n's children live in a decoded buffer.
func isTransform(n *Node) bool {
	for _, k := range n.Chain {
		switch k {
		case KindZlib, KindBase64, KindURLEncoded:
			return true
		}
	}
	return false
}

func itoa(i int) string {
	if i >= 0 && i < 10 {
		return string(rune('0' + i))
	}
	var b [20]byte
	p := len(b)
	neg := i < 0
	u := uint64(i)
	if neg {
		u = uint64(-i)
	}
	for u > 0 {
		p--
		b[p] = byte('0' + u%10)
		u /= 10
	}
	if neg {
		p--
		b[p] = '-'
	}
	return string(b[p:])
}
