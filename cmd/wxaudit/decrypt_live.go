package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/wxaudit/wxaudit/decrypt"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/payload"
)

// liveFlags are decrypt's flags for a capture streamed on stdin.
type liveFlags struct {
	noFollow bool
	grace    time.Duration
	poll     time.Duration
}

func addLiveFlags(fs *flag.FlagSet) *liveFlags {
	lf := &liveFlags{}
	fs.BoolVar(&lf.noFollow, "no-follow", false, "with - (stdin): read the key logs once instead of following them as they grow")
	fs.DurationVar(&lf.grace, "follow-grace", 2*time.Second, "with - (stdin): how long to wait for late keys after the stream ends")
	fs.DurationVar(&lf.poll, "follow-poll", 200*time.Millisecond, "with - (stdin): how often the key logs are polled")
	return lf
}

// followKeylogs follows key-log files that may still be growing: records
// that arrive before their key wait for it (decrypt.LiveOptions).
func followKeylogs(paths []string, lf *liveFlags) (*keylog.Log, *decrypt.LiveOptions, func(), error) {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return nil, nil, nil, withHint(fmt.Errorf("key log: %w", err), "--keylog takes the Frida key log or a wxaudit secrets key log (it may be empty and still growing)")
		}
	}
	fl := keylog.NewFollower(paths)
	if _, err := fl.Poll(); err != nil {
		fl.Close()
		return nil, nil, nil, err
	}
	return fl.Log(), &decrypt.LiveOptions{Poll: fl.Poll, PollInterval: lf.poll, Grace: lf.grace}, func() { fl.Close() }, nil
}

// liveView prints the one-line view of a request on stderr.
func liveView(e *env, p *payload.Payload) {
	if s := decrypt.LiveLine(p); s != "" {
		fmt.Fprintln(e.stderr, s)
	}
}
