// Package hexflow reads and writes recorded TCP conversations in the
// reviewable hex-dump format of crypto/tls's testdata:
//
//	# wxaudit flows v1 client=10.0.0.2:40000 server=203.0.113.5:80
//	>>> Flow 1 (client to server)
//	00000000  50 4f 53 54 20 2f 6d 6d  74 6c 73 2f 30 30 30 30  |POST /mmtls/0000|
//	>>> Flow 2 (server to client)
//	...
//
// Each "Flow" block is one contiguous piece of one direction's byte stream,
// in the order it was sent, so the file records the interleaving of the two
// directions. Tests replay such files through the pipeline; `wxaudit dump
// --flows` writes them from a capture.
package hexflow

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wxaudit/wxaudit/internal/atomicfile"
)

// Flow is one contiguous piece of one direction.
type Flow struct {
	FromClient bool
	Data       []byte
	// Gap, if set, says bytes are missing before Data (e.g. "12 bytes not
	// captured"): written as a "# gap: …" line before the flow, so bytes
	// after a hole are never shown as following the bytes before it.
	Gap string
}

// Conversation is a recorded TCP connection.
type Conversation struct {
	// Header is the text after "# wxaudit flows v1 " (e.g. endpoint names).
	Header string
	Flows  []Flow
}

const headerPrefix = "# wxaudit flows v1"

// gapPrefix starts the line marking a gap before the next flow.
const gapPrefix = "# gap: "

// maxFileBytes bounds what Parse accepts; recorded flows are test fixtures.
const maxFileBytes = 64 << 20

// Write writes c in the hex-dump format.
func Write(w io.Writer, c Conversation) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s %s\n", headerPrefix, c.Header)
	for i, f := range c.Flows {
		dir := "server to client"
		if f.FromClient {
			dir = "client to server"
		}
		if f.Gap != "" {
			fmt.Fprintf(bw, "%s%s\n", gapPrefix, f.Gap)
		}
		fmt.Fprintf(bw, ">>> Flow %d (%s)\n", i+1, dir)
		d := hex.Dumper(bw)
		d.Write(f.Data)
		d.Close()
	}
	return bw.Flush()
}

// Parse reads a conversation written by Write. It checks the flow numbering
// and every hex line, and returns an error naming the line on any mistake.
func Parse(r io.Reader) (Conversation, error) {
	var c Conversation
	sc := bufio.NewScanner(io.LimitReader(r, maxFileBytes))
	sc.Buffer(make([]byte, 4096), 1<<20)
	line := 0
	var cur *Flow
	var gap string // of the next flow
	for sc.Scan() {
		line++
		s := sc.Text()
		switch {
		case line == 1:
			if !strings.HasPrefix(s, headerPrefix) {
				return c, fmt.Errorf("hexflow: line 1: want %q header", headerPrefix)
			}
			c.Header = strings.TrimSpace(strings.TrimPrefix(s, headerPrefix))
		case strings.HasPrefix(s, ">>> Flow "):
			var n int
			var a, b string
			if _, err := fmt.Sscanf(s, ">>> Flow %d (%s to %s", &n, &a, &b); err != nil || n != len(c.Flows)+1 {
				return c, fmt.Errorf("hexflow: line %d: bad flow header %q", line, s)
			}
			switch {
			case a == "client" && b == "server)":
				c.Flows = append(c.Flows, Flow{FromClient: true})
			case a == "server" && b == "client)":
				c.Flows = append(c.Flows, Flow{})
			default:
				return c, fmt.Errorf("hexflow: line %d: bad direction in %q", line, s)
			}
			cur = &c.Flows[len(c.Flows)-1]
			cur.Gap, gap = gap, ""
		case strings.HasPrefix(s, gapPrefix):
			gap = strings.TrimPrefix(s, gapPrefix)
		case strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#"):
		default:
			if cur == nil {
				return c, fmt.Errorf("hexflow: line %d: data before the first flow header", line)
			}
			b, err := parseDumpLine(s)
			if err != nil {
				return c, fmt.Errorf("hexflow: line %d: %w", line, err)
			}
			cur.Data = append(cur.Data, b...)
		}
	}
	if err := sc.Err(); err != nil {
		return c, fmt.Errorf("hexflow: %w", err)
	}
	if line == 0 {
		return c, fmt.Errorf("hexflow: empty input")
	}
	return c, nil
}

// parseDumpLine reads the bytes of one hex.Dumper line: an 8-digit offset,
// up to 16 hex bytes, then the |ascii| column.
func parseDumpLine(s string) ([]byte, error) {
	if len(s) < 10 {
		return nil, fmt.Errorf("short dump line")
	}
	if _, err := hex.DecodeString(s[:8]); err != nil {
		return nil, fmt.Errorf("bad offset %q", s[:8])
	}
	body := s[8:]
	if i := strings.IndexByte(body, '|'); i >= 0 {
		body = body[:i]
	}
	fields := strings.Fields(body)
	if len(fields) > 16 {
		return nil, fmt.Errorf("more than 16 bytes on a line")
	}
	out := make([]byte, 0, 16)
	for _, f := range fields {
		if len(f) != 2 {
			return nil, fmt.Errorf("bad byte %q", f)
		}
		b, err := hex.DecodeString(f)
		if err != nil {
			return nil, fmt.Errorf("bad byte %q", f)
		}
		out = append(out, b...)
	}
	return bytes.Clone(out), nil
}

// WriteDir writes each conversation into dir (created if missing) as its
// own file, conn-001.flows, conn-002.flows, ...
func WriteDir(dir string, convs []Conversation) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for i, c := range convs {
		// Owner-only, under a temporary name renamed into place when
		// whole: the flows are the traffic, which a key log opens.
		err := atomicfile.Write(filepath.Join(dir, fmt.Sprintf("conn-%03d.flows", i+1)), func(w io.Writer) error { return Write(w, c) })
		if err != nil {
			return err
		}
	}
	return nil
}
