package analyze

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLongLineIsWarning: a request-log line over 64 MiB is skipped, and
// said as a warning (which the command prints on stderr), not only listed
// among the report's errors.
func TestLongLineIsWarning(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 64 MiB")
	}
	line := `{"data": "0a2c0a010010b9601a104130313233343536373839616263640020b7ae80c0022a0a616e64726f69642d33303000120a0d99ca9ec215cfa62e42", "req_id": 1948, "req_type": null}` + "\n"
	var b bytes.Buffer
	b.WriteString(line)
	b.WriteString(`{"data": "`)
	b.Write(bytes.Repeat([]byte("00"), 32<<20))
	b.WriteString("\"}\n")
	b.WriteString(line)
	path := filepath.Join(t.TempDir(), "long.log.jsonl")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), []Input{{Path: path, Label: "long"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Errors {
		if strings.HasPrefix(e, WarningPrefix) && strings.Contains(e, "line longer than") {
			return
		}
	}
	t.Errorf("no warning for the long line; errors: %q", rep.Errors)
}
