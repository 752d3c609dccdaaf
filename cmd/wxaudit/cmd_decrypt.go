package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"

	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/internal/ctxio"
	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
)

func runDecrypt(e *env) error {
	fs := newFlags(e, "decrypt", "[--keylog FILE]... [--stats] [--pcapng FILE] CAPTURE|-")
	var keylogs stringList
	fs.Var(&keylogs, "keylog", "key log `file` (Citizen Lab Frida format or wxaudit secrets); repeatable")
	stats := fs.Bool("stats", false, "print what was found, decrypted, and why not, as JSON, instead of payloads")
	quiet := fs.Bool("q", false, "no summary line on stderr")
	pcapng := fs.String("pcapng", "", "write the payloads to `FILE` (- for stdout) as a pcapng for Wireshark, one packet per payload, instead of JSONL")
	lf := addLiveFlags(fs)
	pf := addPSKFlags(fs)
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return &usageError{msg: "decrypt needs exactly one capture file (or - for stdin)", hint: "wxaudit decrypt --keylog frida.log capture.pcap > payloads.jsonl"}
	}
	psks, err := pf.load()
	if err != nil {
		return err
	}
	var keys *keylog.Log
	var live *decrypt.LiveOptions
	if args[0] == "-" && len(keylogs) > 0 && !lf.noFollow {
		// A stream: the key logs may still be growing (decrypt_live.go).
		var stop func()
		if keys, live, stop, err = followKeylogs(keylogs, lf); err != nil {
			return err
		}
		defer stop()
	} else if keys, err = loadKeylogs(keylogs); err != nil {
		return err
	}
	in, name, size, closeIn, err := openInput(e, args[0])
	if err != nil {
		return err
	}
	defer closeIn()
	in = withProgress(e, in, size)

	if *pcapng == "-" && *stats {
		return &usageError{msg: "--pcapng - and --stats both write to stdout", hint: "give --pcapng a file name"}
	}
	var export *pcapngExport
	if *pcapng != "" {
		if export, err = createPcapngExport(e, *pcapng); err != nil {
			return err
		}
	}

	out := bufio.NewWriterSize(e.stdout, 64<<10)
	var line []byte
	emit := func(p *payload.Payload) error {
		if args[0] == "-" && !*quiet {
			liveView(e, p)
		}
		if *stats || export != nil {
			return nil
		}
		line = append(p.AppendJSON(line[:0], false), '\n')
		_, err := out.Write(line)
		return err
	}
	st, runErr := decrypt.Run(e.ctx, in, decrypt.Options{Keys: keys, Capture: name, Live: live, PSKs: psks, Workers: runtime.GOMAXPROCS(0),
		Sink: export.sink()}, emit)
	if err := export.finish(e, *quiet); err != nil && runErr == nil {
		runErr = err
	}
	if st == nil {
		return nameInput(runErr, name)
	}
	if *stats {
		b, _ := json.MarshalIndent(st, "", "  ")
		out.Write(b)
		out.WriteString("\n")
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("writing output: %w", err)
	}
	if !*quiet {
		fmt.Fprintln(e.stderr, "wxaudit: decrypt: "+summarize(st))
	}
	if runErr != nil {
		if errors.Is(runErr, io.ErrUnexpectedEOF) {
			fmt.Fprintf(e.stderr, "wxaudit: warning: %v; everything before it was decrypted\n", runErr)
			return nil
		}
		return runErr
	}
	if err := st.Nothing(keys != nil); err != nil {
		return err
	}
	if keys == nil && psks == nil && !*quiet {
		fmt.Fprintln(e.stderr, "wxaudit: hint: no --keylog given: only structure and plain HTTP were reported")
	}
	return nil
}

// summarize is the one-line summary printed to stderr.
func summarize(st *decrypt.Stats) string {
	var links []string
	for k, v := range st.ConnectionsByLink {
		links = append(links, fmt.Sprintf("%d %s", v, k))
	}
	sort.Strings(links)
	s := fmt.Sprintf("%d connections (%s), %d records (%d plaintext, %d decrypted), %d payloads, %d http requests",
		st.Connections, strings.Join(links, ", "), st.Records, st.RecordsPlaintext, st.RecordsDecrypted, st.Payloads, st.HTTPRequests)
	var not []string
	for k, v := range st.RecordsNotDecrypted {
		not = append(not, fmt.Sprintf("%d %s", v, k))
	}
	for k, v := range st.PayloadsNotDecrypted {
		not = append(not, fmt.Sprintf("%d payloads %s", v, k))
	}
	sort.Strings(not)
	if len(not) > 0 {
		s += "; not decrypted: " + strings.Join(not, ", ")
	}
	return s
}

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
