package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/synth"
)

func runSynth(e *env) error {
	fs := newFlags(e, "synth", "[--scenario NAME] [--seed N] --out DIR")
	scenario := fs.String("scenario", synth.ScenarioAll, "scenario to generate (see --list)")
	seed := fs.Int64("seed", 0, "random seed: equal seeds give identical output")
	out := fs.String("out", "", "output folder (capture, secrets.keylog, frida.keylog, manifest.jsonl)")
	format := fs.String("capture-format", "pcapng", "capture `format`: pcapng or pcap")
	fs.StringVar(format, "format", "pcapng", "the old name of --capture-format")
	loss := fs.Float64("loss", 0, "probability a TCP segment is lost and retransmitted later")
	reorder := fs.Float64("reorder", 0, "probability a TCP segment swaps place with the next")
	retransmit := fs.Float64("retransmit", 0, "probability a TCP segment is duplicated (exactly or overlapping)")
	size := fs.String("size", "", "repeat the scenario until the capture reaches this size (e.g. 100MB, 2GB)")
	list := fs.Bool("list", false, "list the scenarios and exit")
	force := fs.Bool("force", false, "write into a folder that holds a capture or key log synth did not write")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if *list {
		for _, s := range synth.Scenarios() {
			fmt.Fprintf(e.stdout, "%-22s %s\n", s.Name, s.Summary)
		}
		return nil
	}
	if len(args) > 0 {
		return &usageError{msg: fmt.Sprintf("unexpected argument %q", args[0]), hint: "run 'wxaudit synth --help'"}
	}
	if *out == "" {
		return &usageError{msg: "--out is required", hint: "wxaudit synth --scenario miniprogram-location --seed 7 --out run1/"}
	}
	opts := synth.Options{Scenario: *scenario, Seed: *seed, OutDir: *out, Loss: *loss, Reorder: *reorder, Retransmit: *retransmit}
	if opts.Format, err = capture.ParseFormat(*format); err != nil {
		return &usageError{msg: err.Error(), hint: "use --capture-format pcapng or --capture-format pcap"}
	}
	if *size != "" {
		n, err := synth.ParseSize(*size)
		if err != nil {
			return &usageError{msg: err.Error(), hint: "sizes look like 500KB, 100MB or 2GB"}
		}
		opts.Size = n
	}
	if err := checkSynthOut(*out, *force); err != nil {
		return err
	}
	res, err := synth.Generate(opts)
	if err != nil {
		if errors.Is(err, synth.ErrUnknownScenario) {
			return withHint(err, "run 'wxaudit synth --list'")
		}
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d bytes, %d packets, %d connections, %d rounds)\n", res.Capture, res.CaptureBytes, res.Packets, res.Connections, res.Rounds)
	fmt.Fprintf(e.stdout, "wrote %s\nwrote %s\nwrote %s (%d payloads)\n", res.Secrets, res.Frida, res.Manifest, res.Payloads)
	return nil
}

// checkSynthOut refuses to write over a capture or key log that synth did
// not write: --out pointed at a real run folder would lose the recording.
// A folder with synth's manifest is synth's own, rewritten freely.
func checkSynthOut(dir string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, synth.FileManifest)); err == nil {
		return nil
	}
	for _, n := range []string{synth.FileCapturePcapng, synth.FileCapturePcap, synth.FileSecrets, synth.FileFrida} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return withHint(fmt.Errorf("synth: %s already exists and synth did not write it: it would be overwritten", filepath.Join(dir, n)),
				"give --out a new folder, or --force to replace it")
		}
	}
	return nil
}
