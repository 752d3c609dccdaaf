package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/wxaudit/wxaudit/capture"
	"github.com/wxaudit/wxaudit/synth"
)

func runSynth(e *env) error {
	fs := newFlags(e, "synth", "[--scenario NAME] [--seed N] --out DIR")
	scenario := fs.String("scenario", synth.ScenarioAll, "scenario to generate (see --list)")
	seed := fs.Int64("seed", 0, "random seed: equal seeds give identical output")
	out := fs.String("out", "", "output folder (capture, secrets.keylog, frida.keylog, manifest.jsonl)")
	format := fs.String("format", "pcapng", "capture format: pcapng or pcap")
	loss := fs.Float64("loss", 0, "probability a TCP segment is lost and retransmitted later")
	reorder := fs.Float64("reorder", 0, "probability a TCP segment swaps place with the next")
	retransmit := fs.Float64("retransmit", 0, "probability a TCP segment is duplicated (exactly or overlapping)")
	size := fs.String("size", "", "repeat the scenario until the capture reaches this size (e.g. 100MB, 2GB)")
	list := fs.Bool("list", false, "list the scenarios and exit")
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
	switch *format {
	case "pcapng":
		opts.Format = capture.FormatPcapng
	case "pcap":
		opts.Format = capture.FormatPcap
	default:
		return &usageError{msg: fmt.Sprintf("unknown format %q", *format), hint: "use --format pcapng or --format pcap"}
	}
	if *size != "" {
		n, err := parseSize(*size)
		if err != nil {
			return &usageError{msg: err.Error(), hint: "sizes look like 500KB, 100MB or 2GB"}
		}
		opts.Size = n
	}
	res, err := synth.Generate(opts)
	if err != nil {
		if strings.Contains(err.Error(), "unknown scenario") {
			return withHint(err, "run 'wxaudit synth --list'")
		}
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (%d bytes, %d packets, %d connections, %d rounds)\n", res.Capture, res.CaptureBytes, res.Packets, res.Connections, res.Rounds)
	fmt.Fprintf(e.stdout, "wrote %s\nwrote %s\nwrote %s (%d payloads)\n", res.Secrets, res.Frida, res.Manifest, res.Payloads)
	return nil
}

// parseSize reads "2GB", "100MB", "500KB", "1024" (bytes; binary units).
func parseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, x := range []struct {
		suf string
		m   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(u, x.suf) {
			u, mult = strings.TrimSuffix(u, x.suf), x.m
			break
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(u), 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(n * float64(mult)), nil
}
