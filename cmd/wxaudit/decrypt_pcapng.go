package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/internal/atomicfile"
	"github.com/wxaudit/wxaudit/internal/leftover"
	"github.com/wxaudit/wxaudit/wireshark"
)

// pcapngExport is the --pcapng output of decrypt: a Wireshark export of
// the payloads, written as the run emits them.
type pcapngExport struct {
	path string
	w    *wireshark.ExportWriter
	f    *atomicfile.File // nil for stdout
}

// createPcapngExport opens path ("-" for stdout) for a pcapng export. A
// file is written under a temporary name, owner-only (it holds the
// payloads, identifiers in clear), and takes path's place only when the
// run succeeds; the caller has checked path with atomicfile.CheckTarget.
func createPcapngExport(e *env, path string) (*pcapngExport, error) {
	x := &pcapngExport{path: path}
	var out io.Writer = e.stdout
	if path != "-" {
		swept, _ := leftover.Sweep(filepath.Dir(path), filepath.Base(path))
		sayRemoved(e, swept)
		f, err := atomicfile.Create(path)
		if err != nil {
			return nil, fmt.Errorf("--pcapng: %w", err)
		}
		x.f, out = f, f
	}
	w, err := wireshark.NewExportWriter(out, wireshark.ExportOptions{Catalog: catalog.Default()})
	if err != nil {
		if x.f != nil {
			x.f.Abort()
		}
		return nil, err
	}
	x.w = w
	return x, nil
}

// finish flushes and closes the export and says what it holds on stderr
// (unless quiet). A run that failed (runErr) but for a truncated capture
// leaves no file. It is safe to call on a nil export.
func (x *pcapngExport) finish(e *env, quiet bool, runErr error) error {
	if x == nil {
		return nil
	}
	err := x.w.Close()
	if x.f != nil {
		if err == nil && (runErr == nil || errors.Is(runErr, io.ErrUnexpectedEOF)) {
			err = x.f.Commit()
		} else {
			x.f.Abort()
			if err == nil {
				return nil
			}
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
