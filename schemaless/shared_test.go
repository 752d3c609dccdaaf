package schemaless

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/wxaudit/wxaudit/internal/fixtures"
)

// sharedDir returns the Citizen Lab fixture folder (see internal/fixtures).
func sharedDir(t testing.TB) string {
	t.Helper()
	return fixtures.Dir(t)
}

// logPayloads reads the non-empty payloads of one Citizen Lab request log.
func logPayloads(t testing.TB, path string) (payloads [][]byte, reqIDs []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var l struct {
			Data  string `json:"data"`
			ReqID int    `json:"req_id"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		b, err := hex.DecodeString(l.Data)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 0 {
			payloads = append(payloads, b)
			reqIDs = append(reqIDs, l.ReqID)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return payloads, reqIDs
}
