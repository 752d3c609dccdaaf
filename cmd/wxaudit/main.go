// Command wxaudit shows what WeChat sends to its servers: it decrypts MMTLS
// captures, decodes the payloads, finds the personal data in them and
// compares it with the privacy policy.
//
// main only calls run; every subcommand lives in its own cmd_*.go file and
// is listed in the commands table below, so the wiring can be tested without
// a process.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// stopSignals end a command the way Ctrl-C does: it stops reading, removes
// its temporaries (spools of decrypted payloads, half-written folders) and
// exits 1. SIGTERM is what kill, timeout and service managers send.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals...)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what a subcommand may touch: its arguments and the three streams.
type env struct {
	ctx    context.Context
	args   []string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand.
type command struct {
	name    string
	run     func(e *env) error
	summary string
}

// commands is every subcommand, in the order of a study: --help lists them
// in this order.
var commands = []command{
	{"demo", runDemo, "run the whole pipeline on built-in synthetic WeChat traffic (no data or network needed)"},
	{"capture", runCapture, "record a run from a rooted phone: traffic, keys (Frida agent), steps, run.yaml; decodes live"},
	{"decrypt", runDecrypt, "decrypt a WeChat capture with a key log into payload JSONL"},
	{"decode", runDecode, "decode payloads without a schema, with WeChat knowledge"},
	{"analyze", runAnalyze, "find the personal data in captures, decrypted payloads or request logs, and report it"},
	{"corpus", runCorpus, "analyse many run folders and request logs in parallel into a store, Parquet and corpus metrics"},
	{"serve", runServe, "explore a report in a local web UI (loopback only by default)"},
	{"requests", runRequests, "list a report's requests, filtered as in the web UI"},
	{"diff", runDiff, "show what only one of two runs sends (reports or inputs)"},
	{"policy", runPolicy, "show a privacy-policy model, or compare a report with it"},
	{"wireshark", runWireshark, "print the Wireshark Lua dissector for MMTLS and decrypted exports"},
	{"dump", runDump, "dissect a capture's MMTLS records and handshakes, or write its flows as hex fixtures"},
	{"synth", runSynth, "generate synthetic WeChat traffic with key logs and a ground-truth manifest"},
}

// lookup returns the command called name.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usageError is returned for bad command lines; it prints the hint and exits 2.
type usageError struct {
	msg  string
	hint string
}

func (u *usageError) Error() string { return u.msg }

// hintError carries an extra line telling the user what to do.
type hintError struct {
	err  error
	hint string
}

func (h *hintError) Error() string { return h.err.Error() }
func (h *hintError) Unwrap() error { return h.err }
func (h *hintError) Hint() string  { return h.hint }

func withHint(err error, hint string) error { return &hintError{err: err, hint: hint} }

// run executes one wxaudit command line and returns the exit status:
// 0 success, 1 failure, 2 bad usage.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "--version" || args[0] == "version") {
		printVersion(stdout)
		return 0
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) > 1 {
			if c, ok := lookup(args[1]); ok {
				return exitCode(c.run(&env{ctx: ctx, args: []string{"--help"}, stdin: stdin, stdout: stdout, stderr: stderr}), stderr)
			}
		}
		printUsage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := lookup(args[0])
	if !ok {
		return exitCode(&usageError{msg: fmt.Sprintf("unknown command %q", args[0]), hint: "run 'wxaudit --help' for the list of commands"}, stderr)
	}
	return exitCode(c.run(&env{ctx: ctx, args: args[1:], stdin: stdin, stdout: stdout, stderr: stderr}), stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelpShown) {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, "wxaudit: error: interrupted; nothing more was read")
		return 1
	}
	fmt.Fprintf(stderr, "wxaudit: error: %v\n", err)
	var u *usageError
	if errors.As(err, &u) {
		if u.hint != "" {
			fmt.Fprintf(stderr, "wxaudit: hint: %s\n", u.hint)
		}
		return 2
	}
	// Packages' errors carry their own hint (sniff.Error, decrypt's "the
	// key log does not match"); hintError adds one in cmd.
	var h interface{ Hint() string }
	if errors.As(err, &h) && h.Hint() != "" {
		fmt.Fprintf(stderr, "wxaudit: hint: %s\n", h.Hint())
	}
	return 1
}

func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("wxaudit: see what WeChat sends to its servers.\n\nUsage:\n  wxaudit <command> [flags] [args]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'wxaudit <command> --help' for a command's flags, 'wxaudit --version' for the version and commit.\n")
	io.WriteString(w, b.String())
}
