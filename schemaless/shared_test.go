package schemaless

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the Citizen Lab fixtures directory, skipping the test
// when it is absent unless WXAUDIT_REQUIRE_SHARED=1.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "fixtures", "citizenlab")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("WXAUDIT_REQUIRE_SHARED") == "1" {
			t.Fatalf("shared fixtures required but missing: %v", err)
		}
		t.Skipf("shared fixtures not found at %s (set WXAUDIT_REQUIRE_SHARED=1 to require them)", dir)
	}
	return dir
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
