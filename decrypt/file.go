package decrypt

import (
	"bufio"
	"context"
	"os"

	"github.com/wxaudit/wxaudit/internal/atomicfile"
	"github.com/wxaudit/wxaudit/payload"
)

// File decrypts the capture at capturePath into outPath as payload JSON
// Lines, the output of `wxaudit decrypt`. opts.CaptureName defaults to
// capturePath. outPath is created readable by its owner only: it holds
// decrypted traffic.
func File(ctx context.Context, capturePath, outPath string, opts Options) (*Stats, error) {
	in, err := os.Open(capturePath)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	// Written under a temporary name and renamed once whole: a reader
	// never sees half the payloads, and a failed run leaves nothing.
	f, err := atomicfile.Create(outPath)
	if err != nil {
		return nil, err
	}
	if opts.CaptureName == "" {
		opts.CaptureName = capturePath
	}
	w := bufio.NewWriterSize(f, 64<<10)
	var line []byte
	opts.ReusePayloads = true // each payload is written at once
	st, err := Run(ctx, bufio.NewReaderSize(in, 256<<10), opts, func(p *payload.Payload) error {
		line = append(p.AppendJSON(line[:0], false), '\n')
		_, err := w.Write(line)
		return err
	})
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		f.Abort()
		return st, err
	}
	return st, f.Commit()
}
