package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestStorePrivate: the store holds every identifier in clear, so it and
// its -wal and -shm files are owner-only, even under a permissive umask
// and when an older wxaudit left them world-readable.
func TestStorePrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	for round := 0; round < 2; round++ {
		st, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		k1, err := st.RedactionKey(ctx)
		if err != nil || len(k1) != 32 {
			t.Fatalf("key %x, %v", k1, err)
		}
		if k2, _ := st.RedactionKey(ctx); !bytes.Equal(k1, k2) {
			t.Errorf("second key %x, first %x", k2, k1)
		}
		// A write makes the -wal and -shm files.
		if _, err := st.DB().Exec(`INSERT OR REPLACE INTO meta(key, value) VALUES ('x', 'y')`); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("round %d: %s: mode %v, want 0600", round, filepath.Base(p), fi.Mode().Perm())
			}
		}
		st.Close()
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Chmod(p, 0o644) // as an older wxaudit left them
		}
	}
}
