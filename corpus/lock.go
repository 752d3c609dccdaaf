package corpus

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// lockFile, inside the corpus folder, is held by the corpus run that
// writes the folder: two runs on one folder would empty each other's
// staging folder and race on the store (SQLITE_BUSY, half the runs
// stored). The second run waits for the first.
const lockFile = ".lock"

// lockPoll is how often a waiting run tries the lock again.
const lockPoll = 250 * time.Millisecond

// lock takes the corpus folder's lock, waiting for another run that holds
// it (busy is called once, when it must wait) until ctx ends. unlock
// releases it.
func lock(ctx context.Context, dir string, busy func()) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	for waited := false; ; waited = true {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("corpus: lock %s: %w", f.Name(), err)
		}
		if ok {
			return func() { unlockFile(f); f.Close() }, nil
		}
		if !waited && busy != nil {
			busy()
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("corpus: waiting for another corpus run on %s: %w", dir, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}
