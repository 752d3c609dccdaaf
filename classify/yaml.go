package classify

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize bounds a user's rules or canaries file; callers read at most
// this many bytes (a typo'd path such as /dev/zero must not run forever).
const MaxFileSize = 16 << 20

// strictYAML decodes b into v, refusing fields v does not have: a typo in
// a rules or canaries file ("vaule:") must not silently drop the entry.
// An empty document decodes to the zero value.
func strictYAML(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	err := dec.Decode(v)
	var te *yaml.TypeError
	switch {
	case err == nil, errors.Is(err, io.EOF):
		return nil
	case errors.As(err, &te):
		// One line per problem in yaml's message; one line in ours.
		return errors.New(strings.Join(te.Errors, "; "))
	}
	return err
}
