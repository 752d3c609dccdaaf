package main

import (
	"fmt"
	"net"

	"github.com/wxaudit/wxaudit/serve"
)

func runServe(e *env) error {
	fs := newFlags(e, "serve", "[flags] DIR   (a corpus folder written by corpus --out, or a report folder written by analyze --out)")
	addr := fs.String("addr", "127.0.0.1:8765", "listen address; anything but loopback exposes the data to the network")
	reveal := fs.Bool("reveal", false, "show identifying values and precise coordinates (hidden by default, as in a shared report)")
	var hosts stringList
	fs.Var(&hosts, "allow-host", "also accept this Host header name (repeatable; for a non-loopback --addr)")
	args, err := parseFlags(fs, e.args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return &usageError{msg: "serve: want one folder", hint: "wxaudit serve report/"}
	}
	src, err := serve.Open(args[0])
	if err != nil {
		return withHint(err, "give a folder written by 'wxaudit corpus --out DIR' or 'wxaudit analyze --out DIR'")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer ln.Close()
	if !serve.IsLoopback(*addr) {
		fmt.Fprintf(e.stderr, "wxaudit: WARNING: listening on %s, not loopback: anyone who can reach this address can read the decrypted traffic.\n", ln.Addr())
		if h, _, err := net.SplitHostPort(*addr); err == nil && h != "" {
			hosts = append(hosts, h)
		}
	}
	if *reveal {
		fmt.Fprintln(e.stderr, "wxaudit: --reveal: identifying values are shown in clear")
	}
	fmt.Fprintf(e.stdout, "wxaudit: serving %s at http://%s/ (Ctrl-C to stop)\n", args[0], displayAddr(ln.Addr()))
	h, err := serve.New(e.ctx, src, serve.Options{Reveal: *reveal, AllowedHosts: hosts})
	if err != nil {
		return err
	}
	return serve.Serve(e.ctx, ln, h)
}

// displayAddr names a loopback listener by "localhost" so the printed URL
// passes the server's Host check.
func displayAddr(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok && t.IP.IsLoopback() {
		return fmt.Sprintf("localhost:%d", t.Port)
	}
	return a.String()
}
