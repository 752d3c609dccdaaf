package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/internal/hexflow"
	"github.com/wxaudit/wxaudit/payload"
)

func runDump(e *env) error {
	fs := newFlags(e, "dump", "[--keylog FILE]... [--format text|jsonl] [--flows DIR] CAPTURE|-")
	var keylogs stringList
	fs.Var(&keylogs, "keylog", "key log `file`, to show which records decrypt (repeatable)")
	format := fs.String("format", "text", "output `format`: text or jsonl")
	flows := fs.String("flows", "", "write each TCP connection as a recorded-flow file (>>> Flow N) into `DIR` instead")
	force := fs.Bool("force", false, "with --flows: replace the flow files of an earlier dump in DIR")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return &usageError{msg: "dump needs exactly one capture file (or -)", hint: "wxaudit dump --keylog frida.log capture.pcap"}
	}
	if *format != "text" && *format != "jsonl" {
		return &usageError{msg: fmt.Sprintf("unknown --format %q", *format), hint: "use text or jsonl"}
	}
	if *flows != "" && !*force {
		// The flow files are named conn-001.flows, …: an earlier dump's
		// would be overwritten, some of them, and the rest kept.
		if old, _ := filepath.Glob(filepath.Join(*flows, "conn-*.flows")); len(old) > 0 {
			return withHint(fmt.Errorf("dump: %s already holds %d flow files: they would be overwritten", *flows, len(old)), "give --flows a new folder, or --force to replace them")
		}
	}
	in, name, _, closeIn, err := openInput(e, args[0])
	if err != nil {
		return err
	}
	defer closeIn()
	if *flows != "" {
		return dumpFlows(e, in, *flows)
	}
	keys, err := loadKeylogs(keylogs)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	onRecord := func(ev decrypt.RecordEvent) {
		if *format == "jsonl" {
			enc.Encode(ev)
			return
		}
		fmt.Fprintln(out, ev.String())
	}
	st, err := decrypt.Run(e.ctx, in, decrypt.Options{Keys: keys, CaptureName: name, OnRecord: onRecord},
		func(*payload.Payload) error { return nil })
	if st == nil {
		return withHint(err, "the input must be a pcap or pcapng capture")
	}
	if ferr := out.Flush(); ferr != nil {
		return ferr
	}
	fmt.Fprintln(e.stderr, "wxaudit: dump: "+st.Summary())
	return err
}

func dumpFlows(e *env, in io.Reader, dir string) error {
	convs, err := hexflow.FromCapture(in)
	if err != nil {
		return err
	}
	if err := hexflow.WriteDir(dir, convs); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d flow files to %s\n", len(convs), dir)
	return nil
}
