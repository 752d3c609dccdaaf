// This file embeds the JSON schema of the model format.

package policy

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of the policy model format
// (schema.json). Editors can validate a YAML model against it; LoadModel
// checks everything it says and more (known names, unique ids, no category
// cycles), with line numbers.
//
//go:embed schema.json
var Schema []byte
