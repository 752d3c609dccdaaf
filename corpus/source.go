package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/wxaudit/wxaudit/analyze"
	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/runfolder"
	"github.com/wxaudit/wxaudit/store"
)

// fingerprintVersion changes when the analysis of unchanged inputs would
// give a different store, so that --add analyses them again. 2: parquet/
// holds the shareable tables; a corpus written before holds raw ones
// there, which --add must rewrite.
const fingerprintVersion = "wxaudit-corpus-2"

// Source is one run to analyse.
type Source struct {
	// Path is the run folder or request-log file, absolute.
	Path  string
	Kind  string // store.KindCapture or store.KindLog
	Label string
	// Meta is run.yaml; nil when the folder has none.
	Meta *runfolder.Run
	// Capture and Keylogs are the files a run folder's analysis reads.
	Capture string
	Keylogs []string
	// Fingerprint hashes every input file and run.yaml.
	Fingerprint string
	// Err says why the run cannot be analysed; it is stored as failed.
	Err error
	// Segment is a request log's own lines among the corpus's logs (set
	// by Run, see chainsOf); nil for a capture run.
	Segment *analyze.Segment
}

// maxSniff bounds what is read to recognise a key log.
const maxSniff = 64 << 10

// Discover turns the command-line paths into sources: a folder is a run
// folder, a file a request log. A folder that cannot be used becomes a
// Source with Err set, so one bad folder does not stop the others.
// settings names what else shapes the analysis (the policy model); it is
// part of every fingerprint, so --add analyses again when it changes.
func Discover(paths []string, settings string) ([]Source, error) {
	out, err := discover(paths)
	if err != nil {
		return nil, err
	}
	fingerprints(out, settings, func(*Source) bool { return true })
	return out, nil
}

// discover is Discover without the fingerprints.
func discover(paths []string) ([]Source, error) {
	var out []Source
	seen := map[string]bool{}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		if seen[abs] {
			continue
		}
		seen[abs] = true
		fi, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("corpus: %w", err)
		}
		if !fi.IsDir() && !fi.Mode().IsRegular() {
			// Checked before anything opens it: /dev/zero would be hashed
			// forever, a FIFO with no writer blocks the open.
			out = append(out, Source{Path: abs, Kind: store.KindLog, Err: notRegular(fi)})
			continue
		}
		if !fi.IsDir() {
			s := Source{Path: abs, Kind: store.KindLog}
			if sniff.IsCapture(abs) {
				s.Kind = store.KindCapture
				s.Err = errors.New("a capture file alone: put it in a run folder with its key log")
			}
			out = append(out, s)
			continue
		}
		out = append(out, folder(abs))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// fingerprints sets the fingerprint of each source that which selects
// (a shard's captures only: a capture is read whole to hash it).
func fingerprints(srcs []Source, settings string, which func(*Source) bool) {
	for i := range srcs {
		if s := &srcs[i]; s.Err == nil && s.Fingerprint == "" && which(s) {
			s.Fingerprint, s.Err = fingerprint(s, settings)
		}
	}
}

// folder reads a run folder: run.yaml if present, then the capture and
// key logs it names, or the ones found by their content.
func folder(dir string) Source {
	s := Source{Path: dir, Kind: store.KindCapture}
	if fi, err := os.Stat(filepath.Join(dir, runfolder.FileName)); err == nil && !fi.Mode().IsRegular() {
		s.Err = fmt.Errorf("%s: %w", runfolder.FileName, notRegular(fi))
		return s
	}
	if f, err := os.Open(filepath.Join(dir, runfolder.FileName)); err == nil {
		s.Meta, err = runfolder.Parse(f)
		f.Close()
		if err != nil {
			s.Err = err
			return s
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		s.Err = err
		return s
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		s.Err = err
		return s
	}
	var captures, keylogs []string
	for _, e := range ents {
		if !e.Type().IsRegular() || e.Name() == runfolder.FileName || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, e.Name())
		switch {
		case sniff.IsCapture(p):
			captures = append(captures, p)
		case isKeylog(p):
			keylogs = append(keylogs, p)
		}
	}
	if m := s.Meta; m != nil && m.Capture != "" {
		captures = []string{filepath.Join(dir, m.Capture)}
	}
	if m := s.Meta; m != nil && len(m.Keylogs) > 0 {
		keylogs = nil
		for _, k := range m.Keylogs {
			keylogs = append(keylogs, filepath.Join(dir, k))
		}
	}
	switch len(captures) {
	case 0:
		s.Err = errors.New("no capture (pcap or pcapng) in the run folder")
		return s
	case 1:
		s.Capture = captures[0]
	default:
		s.Err = fmt.Errorf("%d captures in the run folder: name one in %s (capture: FILE)", len(captures), runfolder.FileName)
		return s
	}
	if len(keylogs) == 0 {
		s.Err = errors.New("no key log in the run folder: the capture cannot be decrypted")
		return s
	}
	s.Keylogs = keylogs
	return s
}

// isKeylog reports whether the file's first meaningful line is a key-log
// line or the secrets header.
func isKeylog(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, maxSniff))
	for _, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if line[0] == '#' {
			if bytes.HasPrefix(line, []byte("# wxaudit-secrets")) {
				return true
			}
			continue
		}
		e, err := keylog.ParseLine(line)
		return (err == nil && e.Kind != keylog.KindNone) || errors.Is(err, keylog.ErrNotRecordKey) || errors.Is(err, keylog.ErrUnknownLabel)
	}
	return false
}

// fingerprint hashes the run's input files and run.yaml, by name and
// content, so that a changed or added file changes it.
func fingerprint(s *Source, settings string) (string, error) {
	h := sha256.New()
	io.WriteString(h, fingerprintVersion+"\n"+settings+"\n"+s.Kind+"\n")
	files := []string{s.Path}
	if s.Kind == store.KindCapture {
		files = append([]string{s.Capture}, s.Keylogs...)
		if s.Meta != nil {
			files = append(files, filepath.Join(s.Path, runfolder.FileName))
		}
	}
	for _, p := range files {
		if fi, err := os.Stat(p); err != nil {
			return "", err
		} else if !fi.Mode().IsRegular() {
			return "", fmt.Errorf("%s: %w", filepath.Base(p), notRegular(fi))
		}
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\n", filepath.Base(p))
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
		io.WriteString(h, "\n")
	}
	return hex.EncodeToString(h.Sum(nil)[:16]), nil
}

// notRegular is the error for an input that is a device, FIFO or socket.
func notRegular(fi os.FileInfo) error {
	return fmt.Errorf("not a regular file (%v): a run is a folder or a request-log file", fi.Mode().Type())
}

// loadKeys parses a run's key logs as one log: only this run's keys.
func loadKeys(paths []string) (*keylog.Log, error) {
	var readers []io.Reader
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		// A newline between files keeps the last line of one from joining
		// the first of the next.
		readers = append(readers, f, strings.NewReader("\n"))
	}
	return keylog.Parse(io.MultiReader(readers...))
}
