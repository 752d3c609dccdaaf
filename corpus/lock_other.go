//go:build !unix

package corpus

import "os"

// tryLock has no lock to take on this system: concurrent corpus runs on
// one folder are not supported there.
func tryLock(f *os.File) (bool, error) { return true, nil }

func unlockFile(f *os.File) {}
