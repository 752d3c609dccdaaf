package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/wxaudit/wxaudit/synth"
)

// A synthetic capture streamed slowly on stdin, with its key log growing
// behind the stream, yields every payload of its manifest.
func TestDecryptLiveStdin(t *testing.T) {
	dir := t.TempDir()
	res, err := synth.Generate(synth.Options{Scenario: "miniprogram-location", Seed: 21, OutDir: filepath.Join(dir, "syn")})
	if err != nil {
		t.Fatal(err)
	}
	capFile, _ := os.ReadFile(res.Capture)
	keyLines, _ := os.ReadFile(res.Secrets)
	lines := strings.SplitAfter(string(keyLines), "\n")
	keys := filepath.Join(dir, "keys.log")
	kf, err := os.Create(keys)
	if err != nil {
		t.Fatal(err)
	}
	defer kf.Close()

	pr, pw := io.Pipe()
	go func() {
		const chunks = 25
		step := (len(capFile) + chunks - 1) / chunks
		written := 0
		for i := 0; i < chunks; i++ {
			pw.Write(capFile[min(i*step, len(capFile)):min((i+1)*step, len(capFile))])
			// Keys trail the stream by a fifth of it.
			for ; written < len(lines) && written*chunks < (i-chunks/5)*len(lines); written++ {
				kf.WriteString(lines[written])
			}
			time.Sleep(4 * time.Millisecond)
		}
		for ; written < len(lines); written++ {
			kf.WriteString(lines[written])
		}
		time.Sleep(20 * time.Millisecond)
		pw.Close()
	}()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"decrypt", "--follow-poll", "2ms", "--follow-grace", "50ms", "--keylog", keys, "-"}, pr, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var got []string
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var p struct{ Payload string }
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Payload)
	}
	mf, _ := os.Open(res.Manifest)
	defer mf.Close()
	entries, err := synth.ReadManifest(mf)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range entries {
		b, _ := json.Marshal(e.Payload.Payload)
		want = append(want, strings.Trim(string(b), `"`))
	}
	sort.Strings(got)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("payloads differ from the manifest (-want +got):\n%s\nstderr:\n%s", diff, stderr.String())
	}
	if !strings.Contains(stderr.String(), "shortlink") {
		t.Errorf("no live view on stderr:\n%s", stderr.String())
	}
}
