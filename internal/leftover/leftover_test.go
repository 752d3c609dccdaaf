package leftover

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// deadPID returns the id of a process that has ended.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.ProcessState.Pid()
}

func TestSweep(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no process check")
	}
	dir := t.TempDir()
	dead, live := strconv.Itoa(deadPID(t)), strconv.Itoa(os.Getppid())
	names := map[string]bool{ // name → removed
		".out.spool-" + dead + "-123":     true,
		".out.tmp-" + dead + "-9":         true,
		".out.spool-" + live + "-123":     false, // another run still going
		".other.tmp-" + dead + "-9":       false, // another output
		"out":                             false,
		".out.tmp-x-9":                    false,
		"out.tmp-" + dead + "-9":          false, // not hidden: not ours
		Pattern("out", Temp)[1:] + "1234": false,
	}
	for n := range names {
		if err := os.Mkdir(filepath.Join(dir, n), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := Sweep(dir, "out")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range removed {
		got[filepath.Base(p)] = true
	}
	for n, want := range names {
		_, statErr := os.Stat(filepath.Join(dir, n))
		if gone := statErr != nil; gone != want || got[n] != want {
			t.Errorf("%s: removed %v (reported %v), want %v", n, gone, got[n], want)
		}
	}
}

func TestPatternOwnPID(t *testing.T) {
	pid, ok := parse(Pattern("report", Spool)+"77", "report")
	if !ok || pid != os.Getpid() {
		t.Errorf("parse(Pattern) = %d, %v; want %d", pid, ok, os.Getpid())
	}
}
