// This file lets a Session pick up secrets that were logged after its
// ClientHello was seen (live decoding: a key log written while the capture
// is read).

package mmtls

// Relookup asks the lookup function again for a connection whose secrets
// were unknown when its ClientHello was fed, and derives the keys the
// messages seen so far allow. It reports whether the Session gained keys;
// the caller then feeds again the records that failed with ErrNoSecret or
// ErrNoKeys.
func (s *Session) Relookup() bool {
	gained := false
	if s.hello != nil && !s.haveSecr && s.lookup != nil {
		if sec, ok := s.lookup(s.hello.Random); ok {
			s.secrets, s.haveSecr = sec, true
			gained = true
			if s.psk == nil {
				s.psk = s.resumptionPSK()
			}
			if s.chType == RecordTypeEarlyHandshake && s.psk != nil && s.early == nil {
				s.early = NewXORNonceAEAD(earlyDataKey(s.psk, hashMessages(s.ch)))
			}
			if s.sh != nil && s.chType != RecordTypeEarlyHandshake {
				if sh, err := ParseServerHello(s.sh); err == nil {
					_ = s.establishHandshakeKeys(sh)
				}
			}
		}
	}
	// 0-RTT: the response key covers EncryptedExtensions, which the early
	// key may only now have opened.
	if s.chType == RecordTypeEarlyHandshake && s.psk != nil && s.resp == nil && s.sh != nil && s.ee != nil {
		s.resp = NewXORNonceAEAD(zeroRTTResponseKey(s.psk, hashMessages(s.ch, s.ee, s.sh)))
		gained = true
	}
	return gained
}
