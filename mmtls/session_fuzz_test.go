package mmtls

import "testing"

// FuzzSession feeds hostile records to a Session: each input is a record
// stream; the low bit of each record's first body byte picks its direction.
// Properties: no panic; an error never comes with Decrypted plaintext
// other than a handshake message that failed to parse.
func FuzzSession(f *testing.F) {
	store := map[string][32]byte{}
	cv := newConversation(&testing.T{}, 1, ModeECDHE, nil, store)
	cv.handshake1RTT(true)
	var seed []byte
	for _, w := range cv.records {
		seed = appendRecord(seed, w.rec)
	}
	f.Add(seed)
	secrets := cv.c.Secrets()
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			t.Skip()
		}
		s := NewSession(secretsLookup(secrets), NewTicketCache(4))
		var seq [2]uint64
		for len(b) > 0 {
			rec, n, err := ParseRecord(b)
			if err != nil {
				return
			}
			b = b[n:]
			dir := 0
			if len(rec.Body) > 0 {
				dir = int(rec.Body[0] & 1)
			}
			pt, kind, err := s.Record(dir == 0, seq[dir], rec)
			seq[dir]++
			if kind == NotDecrypted && (pt != nil || err == nil) {
				t.Fatalf("NotDecrypted with plaintext or without error")
			}
		}
	})
}
