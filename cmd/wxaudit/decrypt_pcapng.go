package main

import (
	"fmt"
	"io"
	"os"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/wireshark"
)

// pcapngExport is the --pcapng output of decrypt: a Wireshark export of
// the payloads, written as the run emits them.
type pcapngExport struct {
	path string
	w    *wireshark.ExportWriter
	f    *os.File // nil for stdout
}

// createPcapngExport opens path ("-" for stdout) for a pcapng export.
func createPcapngExport(e *env, path string) (*pcapngExport, error) {
	x := &pcapngExport{path: path}
	var out io.Writer = e.stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("--pcapng: %w", err)
		}
		x.f, out = f, f
	}
	w, err := wireshark.NewExportWriter(out, wireshark.ExportOptions{Catalog: catalog.Default()})
	if err != nil {
		if x.f != nil {
			x.f.Close()
		}
		return nil, err
	}
	x.w = w
	return x, nil
}

// finish flushes and closes the export and says what it holds on stderr
// (unless quiet). It is safe to call on a nil export.
func (x *pcapngExport) finish(e *env, quiet bool) error {
	if x == nil {
		return nil
	}
	err := x.w.Close()
	if x.f != nil {
		if cerr := x.f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("--pcapng %s: %w", x.path, err)
	}
	if !quiet {
		msg := fmt.Sprintf("wxaudit: decrypt: wrote %d payloads to %s (open it with wireshark -X lua_script:%s)", x.w.Packets(), x.path, wireshark.LuaFileName)
		if n := x.w.Truncated(); n > 0 {
			msg += fmt.Sprintf("; %d longer than %d bytes were cut", n, wireshark.MaxExportPacket)
		}
		fmt.Fprintln(e.stderr, msg)
	}
	return nil
}

// sink returns the export as a decrypt.Sink, or nil.
func (x *pcapngExport) sink() decrypt.Sink {
	if x == nil {
		return nil
	}
	return x.w
}
