// This file writes Records as JSON Lines or as the text view.

package decode

import (
	"fmt"
	"io"

	"github.com/wxaudit/wxaudit/schemaless"
)

// writeJSON writes r as one JSON line (as json.Marshal would write it),
// built in *line, which it keeps for the next call: a record's line is
// about 12 times its payload.
func writeJSON(w io.Writer, r *Record, line *[]byte) error {
	b, err := r.AppendJSON((*line)[:0])
	if err != nil {
		return err
	}
	b = append(b, '\n')
	*line = b
	_, err = w.Write(b)
	return err
}

// writeText writes r as a header line and the indented tree.
func writeText(w io.Writer, r *Record) error {
	src := r.Input.Source
	if src == "" {
		src = r.Input.Capture
	}
	hdr := fmt.Sprintf("=== %s:%d %s %s type=%d %s feature=%s size=%d sha256=%.16s\n",
		src, r.Input.Line, r.Input.Link, r.Input.Direction, r.Input.ReqType, orDash(r.Endpoint), r.Feature, r.Size, r.SHA256)
	if _, err := io.WriteString(w, hdr); err != nil {
		return err
	}
	switch {
	case r.Empty:
		_, err := io.WriteString(w, "# empty payload\n")
		return err
	case r.Tree == nil:
		return nil
	}
	return schemaless.Format(w, r.Tree)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
