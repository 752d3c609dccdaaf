package decode

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wxaudit/wxaudit/payload"
)

// writeLog writes a request log of the synthetic payload plus extra lines.
func writeLog(t *testing.T, name string, extra ...string) string {
	t.Helper()
	lines := append([]string{fmt.Sprintf(`{"data": %q, "req_id": 1009, "req_type": "/cgi-bin/mmbiz-bin/wxausrevent/wxaappidkeybatchreport"}`, hex.EncodeToString(synthetic()))}, extra...)
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRunOutputs(t *testing.T) {
	log := writeLog(t, "a.jsonl")
	for _, tc := range []struct {
		out  Output
		want string
	}{
		{OutputJSON, `"path":"1.2"`},
		{OutputText, "=== " + log + ":1 log request type=1009"},
		{OutputProto, "// wxaudit:endpoint /cgi-bin/mmbiz-bin/wxausrevent/wxaappidkeybatchreport"},
	} {
		var out bytes.Buffer
		if err := Run(context.Background(), []string{log}, RunOptions{Output: tc.out}, &out); err != nil {
			t.Fatalf("output %d: %v", tc.out, err)
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("output %d: no %q in\n%.400s", tc.out, tc.want, out.String())
		}
	}
}

// The JSON Run writes is writeJSON's, record after record, stdin included.
func TestRunSameAsWriteJSON(t *testing.T) {
	log := writeLog(t, "a.jsonl")
	var want bytes.Buffer
	p := mustRead(t, log)
	rec := NewDecoder(Options{}).Decode(p)
	writeJSON(&want, &rec, new([]byte))
	rec2 := rec
	rec2.Input.Source = "-"
	writeJSON(&want, &rec2, new([]byte))
	stdin, _ := os.Open(log)
	defer stdin.Close()
	var got bytes.Buffer
	if err := Run(context.Background(), []string{log, "-"}, RunOptions{Stdin: stdin}, &got); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got.String(), want.String())
	}
}

func mustRead(t *testing.T, path string) (p payload.Payload) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err = NewReader(f, path).Next()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunSkips(t *testing.T) {
	bad := writeLog(t, "bad.jsonl", `{"data": null}`, `not json`, `{"data": "0801", "req_id": 1}`)
	var warned []error
	var out bytes.Buffer
	err := Run(context.Background(), []string{bad}, RunOptions{Warn: func(err error) { warned = append(warned, err) }}, &out)
	var se *SkipError
	if !errors.As(err, &se) || se.Decoded != 2 || se.Skipped != 2 || err.Error() != "2 input lines were not payloads" {
		t.Fatalf("err = %v (%+v), want 2 decoded and 2 skipped", err, se)
	}
	if len(warned) != 2 || !strings.Contains(warned[0].Error(), "bad.jsonl:2:") {
		t.Errorf("warnings %v, want lines 2 and 3", warned)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 {
		t.Errorf("%d records written, want the 2 good lines", n)
	}

	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	err = Run(context.Background(), []string{empty, "-"}, RunOptions{}, &out)
	if err == nil || err.Error() != "decode: no request in "+empty+", - (0 lines not requests)" {
		t.Errorf("nothing decoded: err = %v", err)
	}
}

func TestRunErrors(t *testing.T) {
	log := writeLog(t, "a.jsonl")
	var out bytes.Buffer
	if err := Run(context.Background(), []string{log, filepath.Join(t.TempDir(), "missing")}, RunOptions{}, &out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing input: err = %v", err)
	}
	if !strings.Contains(out.String(), `"sha256"`) {
		t.Error("the record decoded before the error was not kept")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Run(ctx, []string{log}, RunOptions{}, &out); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}
