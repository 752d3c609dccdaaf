package decrypt

import "fmt"

// NothingError is a run that read a capture but got nothing out of it: a
// success here would be an empty report that looks like "WeChat sent
// nothing". Its message carries the counts, its Hint what to do.
type NothingError struct {
	Frames    int64 // frames read
	Encrypted int   // encrypted MMTLS records seen
	KeyLines  int   // distinct key-log entries given
}

func (e *NothingError) Error() string {
	if e.Encrypted == 0 {
		return fmt.Sprintf("decrypt: no MMTLS record and no WeChat HTTP request in %d frames", e.Frames)
	}
	return fmt.Sprintf("decrypt: the key log does not match this capture: none of its %d encrypted records opened with the %d keys given", e.Encrypted, e.KeyLines)
}

// Hint says what to do instead.
func (e *NothingError) Hint() string {
	if e.Encrypted == 0 {
		return "is this a capture of WeChat? capture on the phone (tcpdump -i any) while the app is in use"
	}
	return "pass the key log exported during this capture (the Frida hooks or wxaudit secrets log of the same session); --stats shows what was tried"
}

// Nothing returns a *NothingError when the run yielded nothing from a
// capture that held something: WeChat traffic none of whose encrypted
// records opened, or no WeChat traffic at all. A partial result (some
// records opened) is not an error: the counts say what was missed.
// keysGiven is false when the caller passed no key log on purpose, which
// is then not an error as long as the capture held WeChat traffic.
func (s *Stats) Nothing(keysGiven bool) error {
	if s.Records == 0 && s.HTTPRequests == 0 && s.HTTPResponses == 0 {
		return &NothingError{Frames: s.Capture.Frames}
	}
	if s.RecordsEncrypted == 0 || s.RecordsDecrypted > 0 || !keysGiven {
		return nil
	}
	e := &NothingError{Frames: s.Capture.Frames, Encrypted: s.RecordsEncrypted}
	if s.Keylog != nil {
		for _, n := range s.Keylog.ByKind {
			e.KeyLines += n
		}
	}
	return e
}
