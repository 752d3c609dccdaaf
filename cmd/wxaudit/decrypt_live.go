package main

import (
	"flag"
	"fmt"
	"io"
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

// keys loads the key logs, or follows them when the capture is a stream on
// stdin: they may still be growing. stop ends the following.
func (lf *liveFlags) keys(paths []string, stream bool) (*keylog.Log, *decrypt.LiveOptions, func(), error) {
	if !stream || len(paths) == 0 || lf.noFollow {
		keys, err := loadKeylogs(paths)
		return keys, nil, func() {}, err
	}
	return followKeylogs(paths, lf)
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

// withLiveView prints the one-line view of each request on stderr, then
// passes it on.
func withLiveView(e *env, emit func(*payload.Payload) error) func(*payload.Payload) error {
	return func(p *payload.Payload) error {
		if s := decrypt.LiveLine(p); s != "" {
			fmt.Fprintln(e.stderr, s)
		}
		return emit(p)
	}
}

// payloadWriter writes each payload as one JSON line on w, or drops it
// when discard is set (--stats, --pcapng).
func payloadWriter(w io.Writer, discard bool) func(*payload.Payload) error {
	var line []byte
	return func(p *payload.Payload) error {
		if discard {
			return nil
		}
		line = append(p.AppendJSON(line[:0], false), '\n')
		_, err := w.Write(line)
		return err
	}
}
