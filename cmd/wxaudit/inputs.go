package main

// Inputs shared by the commands that read captures and key logs.

import (
	"bufio"
	"errors"
	"io"
	"os"

	"github.com/wxaudit/wxaudit/internal/ctxio"
	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/keylog"
)

// loadKeylogs parses and merges the key logs named on the command line.
func loadKeylogs(paths []string) (*keylog.Log, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	return keylog.Load(paths)
}

// nameInput puts the input's name into a wrong-kind error, or adds the
// generic hint to another error opening a capture.
func nameInput(err error, name string) error {
	var se *sniff.Error
	if errors.As(err, &se) {
		se.Name = name
		return err
	}
	return withHint(err, "the input must be a pcap or pcapng capture (tcpdump -w, Wireshark, adb exec-out tcpdump -U -w -)")
}

// openInput opens a file or stdin ("-"), returning its display name and
// size (-1 when unknown).
func openInput(e *env, path string) (io.Reader, string, int64, func(), error) {
	if path == "-" {
		return ctxio.Reader(e.ctx, e.stdin), "-", -1, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", 0, nil, err
	}
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	return bufio.NewReaderSize(f, 256<<10), path, size, func() { f.Close() }, nil
}
