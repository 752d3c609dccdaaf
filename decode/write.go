// This file writes Records as JSON Lines or as the text view.

package decode

import (
	"fmt"
	"io"
	"sync"

	"github.com/wxaudit/wxaudit/schemaless"
)

// WriteJSON writes r as one JSON line (as json.Marshal would write it).
func WriteJSON(w io.Writer, r *Record) error {
	buf := linePool.Get().(*[]byte)
	defer linePool.Put(buf)
	b, err := r.AppendJSON((*buf)[:0])
	if err != nil {
		return err
	}
	b = append(b, '\n')
	*buf = b
	_, err = w.Write(b)
	return err
}

// linePool recycles line buffers: a record's line is several times its
// payload's size.
var linePool = sync.Pool{New: func() any { return new([]byte) }}

// WriteText writes r as a header line and the indented tree.
func WriteText(w io.Writer, r *Record) error {
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
