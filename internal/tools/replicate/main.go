// Command replicate writes a capture's TCP packets N times as one classic
// pcap (internal/pcaprewrite.Replicate), to measure the commands at scale
// from a shell (BENCHMARKS.md):
//
//	go run ./internal/tools/replicate -copies 1000 -o /tmp/r1000.pcap
//
// The capture defaults to Citizen Lab's real one in ../shared.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/wxaudit/wxaudit/internal/pcaprewrite"
)

func main() {
	copies := flag.Int("copies", 100, "how many copies of the capture to write")
	out := flag.String("o", "", "the output pcap file (required)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: replicate -copies N -o OUT.pcap [CAPTURE]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	in := "../shared/fixtures/citizenlab/capture-logged-in-all-keys.pcapng"
	if flag.NArg() > 0 {
		in = flag.Arg(0)
	}
	if *out == "" || *copies < 1 || flag.NArg() > 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(in, *out, *copies); err != nil {
		fmt.Fprintf(os.Stderr, "replicate: %v\n", err)
		os.Exit(1)
	}
}

func run(in, out string, copies int) error {
	src, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := pcaprewrite.Replicate(src, w, copies); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
