package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/internal/atomicfile"
)

func runDecrypt(e *env) error {
	fs := newFlags(e, "decrypt", "[--keylog FILE]... [--stats] [--pcapng FILE] CAPTURE|-")
	var keylogs stringList
	fs.Var(&keylogs, "keylog", "key log `file` (Citizen Lab Frida format or wxaudit secrets); repeatable")
	stats := fs.Bool("stats", false, "print what was found, decrypted, and why not, as JSON, instead of payloads")
	quiet := fs.Bool("q", false, "no summary line on stderr")
	pcapng := fs.String("pcapng", "", "write the payloads to `FILE` (- for stdout) as a pcapng for Wireshark, one packet per payload, instead of JSONL; it holds decrypted data and is written owner-only")
	force := fs.Bool("force", false, "replace an existing --pcapng file (never one of the inputs)")
	lf := addLiveFlags(fs)
	pf := addPSKFlags(fs)
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return &usageError{msg: "decrypt needs exactly one capture file (or - for stdin)", hint: "wxaudit decrypt --keylog frida.log capture.pcap > payloads.jsonl"}
	}
	if *pcapng == "-" && *stats {
		return &usageError{msg: "--pcapng - and --stats both write to stdout", hint: "give --pcapng a file name"}
	}
	if *pcapng != "" && *pcapng != "-" {
		// Checked before anything is read: the export must not replace the
		// capture, a key log or a psk.key, nor a file the user kept.
		inputs := append(append([]string{args[0]}, keylogs...), pf.files...)
		if err := atomicfile.CheckTarget(*pcapng, inputs, *force); err != nil {
			return fmt.Errorf("--pcapng: %w", err)
		}
	}
	psks, err := pf.load()
	if err != nil {
		return err
	}
	keys, live, stop, err := lf.keys(keylogs, args[0] == "-")
	if err != nil {
		return err
	}
	defer stop()
	if !*stats { // --stats lists them
		warnKeylog(e, keys)
	}
	in, name, size, closeIn, err := openInput(e, args[0])
	if err != nil {
		return err
	}
	defer closeIn()
	in = withProgress(e, in, size)

	var export *pcapngExport
	if *pcapng != "" {
		if export, err = createPcapngExport(e, *pcapng); err != nil {
			return err
		}
	}

	out := bufio.NewWriterSize(e.stdout, 64<<10)
	emit := payloadWriter(out, *stats || export != nil)
	if args[0] == "-" && !*quiet {
		emit = withLiveView(e, emit)
	}
	st, runErr := decrypt.Run(e.ctx, in, decrypt.Options{Keys: keys, CaptureName: name, Live: live, PSKs: psks, Workers: runtime.GOMAXPROCS(0),
		Sink: export.sink(), ReusePayloads: true}, emit) // emit writes each payload at once
	if err := export.finish(e, *quiet, runErr); err != nil && runErr == nil {
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
		fmt.Fprintln(e.stderr, "wxaudit: decrypt: "+st.Summary())
	}
	return decryptVerdict(e, st, runErr, keys != nil, psks != nil, *quiet)
}

// decryptVerdict turns the end of a run into the command's outcome: a
// truncated capture is a warning (everything before it was decrypted), a
// run that decrypted nothing although keys were given is an error.
func decryptVerdict(e *env, st *decrypt.Stats, runErr error, haveKeys, havePSKs, quiet bool) error {
	if runErr != nil {
		if errors.Is(runErr, io.ErrUnexpectedEOF) {
			fmt.Fprintf(e.stderr, "wxaudit: warning: %v; everything before it was decrypted\n", runErr)
			return nil
		}
		return runErr
	}
	if err := st.Nothing(haveKeys); err != nil {
		return err
	}
	if !haveKeys && !havePSKs && !quiet {
		fmt.Fprintln(e.stderr, "wxaudit: hint: no --keylog given: only structure and plain HTTP were reported")
	}
	return nil
}
