// This file reads WeChat's stored pre-shared-key file, psk.key: the
// resumption ticket and secret the app keeps between runs, encrypted with a
// key any app on the phone could derive (doc/protocol.md; Citizen Lab 2024).
// With it, the 0-RTT Shortlinks presenting the ticket may be opened
// without hooks (doc/psk.md says what was established).

package keylog

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/wxaudit/wxaudit/internal/sniff"
	"github.com/wxaudit/wxaudit/mmtls"
)

// MaxPSKFileSize bounds psk.key (the real one is 228 bytes).
const MaxPSKFileSize = 64 << 10

// StoredPSK is the content of psk.key.
type StoredPSK struct {
	Ticket mmtls.SessionTicket
	// Secret is the 32-byte secret stored with the ticket.
	Secret []byte
	// Saved is the u64 that follows the ticket, read as Unix seconds
	// (measured: 2023-10-01 in Citizen Lab's file, two months before their
	// capture); zero if it does not read as a plausible time.
	Saved time.Time
}

// pskFileKey derives psk.key's AES-128-GCM key and nonce from the device's
// "manufacturer-model" string (e.g. "Google-sdk_gphone64_arm64"): the ASCII
// bytes of the first 16 (key) and first 12 (nonce) characters of the
// lowercase hex MD5 of that string.
func pskFileKey(deviceModel string) (key [16]byte, nonce [12]byte) {
	sum := md5.Sum([]byte(deviceModel))
	h := hex.EncodeToString(sum[:])
	copy(key[:], h[:16])
	copy(nonce[:], h[:12])
	return key, nonce
}

// ErrPSKFileKey is returned when psk.key does not open with the key derived
// from the device model (a wrong model string, or another file).
var ErrPSKFileKey = errors.New("the tag does not verify with the key derived from this device model")

// ParsePSKFile decrypts and parses psk.key. Layout of the plaintext
// (measured on the one public file): u32 length of the rest, u32 length of
// the ticket, the ticket as in NewSessionTicket (type, lifetime, age add,
// reserved, nonce, opaque ticket), u64 saved time, 32-byte secret.
func ParsePSKFile(data []byte, deviceModel string) (*StoredPSK, error) {
	if len(data) > MaxPSKFileSize {
		return nil, fmt.Errorf("psk.key: %d bytes, more than %d", len(data), MaxPSKFileSize)
	}
	key, nonce := pskFileKey(deviceModel)
	block, _ := aes.NewCipher(key[:]) // 16 bytes: never fails
	gcm, _ := cipher.NewGCM(block)
	if len(data) < gcm.Overhead() {
		return nil, fmt.Errorf("psk.key: %d bytes, shorter than a GCM tag", len(data))
	}
	pt, err := gcm.Open(nil, nonce[:], data, nil)
	if err != nil {
		return nil, ErrPSKFileKey
	}
	bad := func(what string) error { return fmt.Errorf("psk.key: decrypted, but %s", what) }
	if len(pt) < 8 || int(binary.BigEndian.Uint32(pt)) != len(pt)-4 {
		return nil, bad("its length prefix does not match")
	}
	t, n, err := mmtls.ParseSessionTicket(pt[4:])
	if err != nil {
		return nil, bad("the ticket does not parse: " + err.Error())
	}
	rest := pt[4+n:]
	if len(rest) != 8+32 {
		return nil, bad(fmt.Sprintf("%d bytes follow the ticket, want 40 (time and secret)", len(rest)))
	}
	s := &StoredPSK{Ticket: t, Secret: append([]byte(nil), rest[8:]...)}
	s.Ticket.AgeAdd = append([]byte(nil), t.AgeAdd...)
	s.Ticket.Nonce = append([]byte(nil), t.Nonce...)
	s.Ticket.Ticket = append([]byte(nil), t.Ticket...)
	if secs := binary.BigEndian.Uint64(rest[:8]); secs > 1e9 && secs < 1e10 {
		s.Saved = time.Unix(int64(secs), 0).UTC()
	}
	return s, nil
}

// SealPSKFile is ParsePSKFile's inverse, for tests and synthetic traffic.
func SealPSKFile(p *StoredPSK, deviceModel string) []byte {
	var tk []byte
	tk = binary.BigEndian.AppendUint32(tk, 0)
	tk = append(tk, p.Ticket.Type)
	tk = binary.BigEndian.AppendUint32(tk, p.Ticket.Lifetime)
	tk = binary.BigEndian.AppendUint16(tk, uint16(len(p.Ticket.AgeAdd)))
	tk = append(tk, p.Ticket.AgeAdd...)
	tk = binary.BigEndian.AppendUint32(tk, p.Ticket.Reserved)
	tk = binary.BigEndian.AppendUint16(tk, uint16(len(p.Ticket.Nonce)))
	tk = append(tk, p.Ticket.Nonce...)
	tk = binary.BigEndian.AppendUint16(tk, uint16(len(p.Ticket.Ticket)))
	tk = append(tk, p.Ticket.Ticket...)
	binary.BigEndian.PutUint32(tk, uint32(len(tk)-4))
	pt := binary.BigEndian.AppendUint32(nil, 0)
	pt = append(pt, tk...)
	var saved uint64
	if !p.Saved.IsZero() {
		saved = uint64(p.Saved.Unix())
	}
	pt = binary.BigEndian.AppendUint64(pt, saved)
	pt = append(pt, p.Secret...)
	binary.BigEndian.PutUint32(pt, uint32(len(pt)-4))
	key, nonce := pskFileKey(deviceModel)
	block, _ := aes.NewCipher(key[:])
	gcm, _ := cipher.NewGCM(block)
	return gcm.Seal(nil, nonce[:], pt, nil)
}

// LoadPSKFiles reads and decrypts the psk.key files at paths with the key
// derived from deviceModel. A wrong device model is an error whose hint says
// so.
func LoadPSKFiles(paths []string, deviceModel string) ([]StoredPSK, error) {
	var out []StoredPSK
	for _, path := range paths {
		b, err := sniff.ReadFile(path, MaxPSKFileSize)
		if err != nil {
			return nil, fmt.Errorf("psk key: %w", err)
		}
		s, err := ParsePSKFile(b, deviceModel)
		if errors.Is(err, ErrPSKFileKey) {
			return nil, sniff.Hinted(fmt.Errorf("%s: %w", path, err), "check --device-model: it is \"manufacturer-model\" exactly as the phone reports them")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, *s)
	}
	return out, nil
}
