// Package leftover names the temporary files and folders wxaudit writes
// beside its outputs (spools of decrypted payloads, half-written reports),
// and removes the ones a killed process left behind.
//
// A process removes its own temporaries when it ends, even on SIGINT or
// SIGTERM; only kill -9 (or a crash of the machine) leaves them. Each name
// carries the writer's process id, ".NAME.KIND-PID-RANDOM", so Sweep can
// remove the temporaries of processes that are gone without touching
// those of a run still going on beside it.
package leftover

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Kind says what a temporary holds.
type Kind string

const (
	// Temp is a file or folder being written, renamed into place when done.
	Temp Kind = "tmp"
	// Spool holds decrypted payloads between the two passes of analyze.
	Spool Kind = "spool"
)

// Pattern is the os.CreateTemp / os.MkdirTemp pattern for a temporary of
// kind beside the output called base.
func Pattern(base string, kind Kind) string {
	return "." + base + "." + string(kind) + "-" + strconv.Itoa(os.Getpid()) + "-"
}

// Sweep removes from dir the temporaries of the output called base (of
// any Kind) whose process is no longer running, and returns their paths.
// An empty base sweeps every output's temporaries in dir.
func Sweep(dir, base string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range ents {
		pid, ok := parse(e.Name(), base)
		if !ok || pid == os.Getpid() || running(pid) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.RemoveAll(p); err != nil {
			return removed, err
		}
		removed = append(removed, p)
	}
	return removed, nil
}

// parse returns the process id in a temporary's name, if name is one of
// base's (any base when base is empty).
func parse(name, base string) (int, bool) {
	if !strings.HasPrefix(name, ".") {
		return 0, false
	}
	for _, k := range []Kind{Temp, Spool} {
		mark := "." + string(k) + "-"
		i := strings.LastIndex(name, mark)
		if i <= 0 {
			continue
		}
		if base != "" && name[1:i] != base {
			continue
		}
		rest := name[i+len(mark):]
		j := strings.IndexByte(rest, '-')
		if j <= 0 {
			continue
		}
		pid, err := strconv.Atoi(rest[:j])
		if err != nil || pid <= 0 {
			continue
		}
		return pid, true
	}
	return 0, false
}
