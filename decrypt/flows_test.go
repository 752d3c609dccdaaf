package decrypt

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wxaudit/wxaudit/internal/hexflow"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestRecordedFlows replays recorded flows (synthetic traffic written by
// `wxaudit synth` and cut with `wxaudit dump --flows`) through the whole
// decrypter with each of its key logs, and compares the payload JSONL with
// a golden file. Both key logs must give the same payloads. To record a
// new folder:
//
//	wxaudit synth --scenario location-denied --seed 3 --out /tmp/s
//	wxaudit dump --flows decrypt/testdata/flows/location-denied /tmp/s/capture.pcapng
//	cp /tmp/s/frida.keylog /tmp/s/secrets.keylog decrypt/testdata/flows/location-denied/
//	go test ./decrypt -run TestRecordedFlows -update
func TestRecordedFlows(t *testing.T) {
	dirs, err := filepath.Glob("testdata/flows/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no recorded flows: %v", err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			capture := flowsCapture(t, dir)
			golden := filepath.Join("testdata", name+".golden")
			for _, kl := range []string{"frida.keylog", "secrets.keylog"} {
				ps, st := decryptBytes(t, capture, loadKeys(t, filepath.Join(dir, kl)))
				var got bytes.Buffer
				got.WriteString("# decrypt of testdata/flows/" + name + " (frames and times from hexflow.WriteCapture)\n")
				enc := json.NewEncoder(&got)
				enc.SetEscapeHTML(false)
				for _, p := range ps {
					enc.Encode(p)
				}
				for reason, n := range st.RecordsNotDecrypted {
					t.Errorf("%s: %d records not decrypted: %s", kl, n, reason)
				}
				if *update && kl == "frida.keylog" {
					if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(got.String(), "\n")); diff != "" {
					t.Errorf("%s: payloads differ from %s (-want +got):\n%s", kl, golden, diff)
				}
			}
		})
	}
}

// flowsCapture turns a folder of recorded flows into a capture.
func flowsCapture(t *testing.T, dir string) []byte {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.flows"))
	var convs []hexflow.Conversation
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := hexflow.Parse(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		convs = append(convs, c)
	}
	var buf bytes.Buffer
	if err := hexflow.WriteCapture(&buf, convs, time.Date(2024, 10, 1, 9, 30, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
