// This file holds Schema, field names read from .proto files.

package decode

import (
	"os"

	"github.com/wxaudit/wxaudit/schemaless"
)

// Schema maps endpoint → schemaless path → field name, read from .proto
// files (parseProto); the .proto files --schema learn writes name them.
type Schema struct {
	Names map[string]map[string]string
}

// Apply names m's unnamed nodes from the schema of endpoint; the names of
// the "*" endpoint apply to every endpoint.
func (s *Schema) Apply(m *schemaless.Tree, endpoint string) {
	if s == nil {
		return
	}
	names, any := s.Names[endpoint], s.Names["*"]
	if names == nil && any == nil {
		return
	}
	m.Walk(func(n *schemaless.Node, _ int) bool {
		if n.Name != "" || n.Path == "" {
			return true
		}
		if nm, ok := names[n.Path]; ok {
			n.Name = nm
		} else if nm, ok := any[n.Path]; ok {
			n.Name = nm
		}
		return true
	})
}

// OpenSchema reads the .proto file at path (parseProto).
func OpenSchema(path string) (*Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseProto(f)
}
