// This file parses and formats single key-log lines, both formats. See
// doc/protocol.md, section 7, and the package doc for the secrets format.

package keylog

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/wxaudit/wxaudit/mmtls"
)

// Kind names what a key-log entry holds.
type Kind uint8

const (
	KindNone       Kind = iota // blank line, comment or header: nothing to index
	KindOuter                  // MMTLS record key (Frida OUTER)
	KindCBC                    // inner AES-CBC key (Frida INNER with nonce)
	KindGCM                    // inner AES-192-GCM key (Frida INNER with iv and tag)
	KindSecret                 // MMTLS_SECRET
	KindPSKAccess              // MMTLS_PSK_ACCESS
	KindSessionKey             // WECHAT_SESSION_KEY
	KindGCMKey                 // WECHAT_GCM_KEY
)

var kindNames = [...]string{"none", "outer", "cbc", "gcm", "mmtls_secret", "mmtls_psk_access", "session_key", "gcm_key"}

// String returns the name used in [Stats]; unknown kinds print numerically.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Labels and the header of the secrets key log, version 1.
const (
	SecretsHeader      = "# wxaudit-secrets v1"
	secretsHeaderStart = "# wxaudit-secrets "
	LabelSecret        = "MMTLS_SECRET"
	LabelPSKAccess     = "MMTLS_PSK_ACCESS"
	LabelSessionKey    = "WECHAT_SESSION_KEY"
	LabelGCMKey        = "WECHAT_GCM_KEY"
)

// Frida layer names.
const (
	layerOuter = "OUTER"
	layerInner = "INNER"
)

// Sizes of the fixed fields.
const (
	outerAADLen = 13 // seq u64 | type u8 | version u16 | length u16
	maxAADLen   = 1024
	secretLen   = 32
)

// MaxLineLen bounds one key-log line; longer lines are malformed.
const MaxLineLen = 16 << 10

// Entry is one parsed key-log line. Which fields are set depends on Kind:
//
//   - KindOuter: Encrypt, Key16, Nonce, Seq, Header, Tail, BaseIV.
//   - KindCBC: Encrypt, Key16, Tail (the IV equals the key).
//   - KindGCM: Encrypt, Key24, IV, Tag, AAD, Tail or TailIsIV.
//   - KindSecret, KindPSKAccess: ClientRandom, Secret.
//   - KindSessionKey: Key16. KindGCMKey: Key24.
type Entry struct {
	Kind    Kind
	Encrypt bool
	Key16   [16]byte
	Key24   [24]byte
	Nonce   [12]byte // per-record nonce as logged
	BaseIV  [12]byte // Nonce XOR Seq in its last 8 bytes
	Seq     uint64
	Header  [5]byte // record header as sent (type, version, length incl. tag)
	IV      [12]byte
	Tag     [16]byte
	AAD     []byte
	Tail    [8]byte
	// TailIsIV is set for GCM entries whose logged tail was the 12-byte IV
	// (the hooks log the IV as tail when encrypting); Tail is then zero.
	TailIsIV bool

	ClientRandom [32]byte
	Secret       []byte

	// Meta is who logged the line and when (secrets key log v2); nil for
	// v1 and Frida lines. It is not part of the entry's identity.
	Meta *Meta
}

// Skip reasons: lines that parse but hold no usable key.
var (
	// ErrNotRecordKey marks an OUTER line with empty metadata: the app
	// encrypting its psk.key file, not an MMTLS record.
	ErrNotRecordKey = errors.New("not a record key")
	// ErrUnknownLabel marks a secrets line with a label this version does not know.
	ErrUnknownLabel = errors.New("unknown label")
)

// lineError is a malformed line.
type lineError struct {
	Line   int // 1-based; 0 when parsed with ParseLine alone
	Reason string
}

func (e *lineError) Error() string {
	if e.Line == 0 {
		return "keylog: " + e.Reason
	}
	return fmt.Sprintf("keylog: line %d: %s", e.Line, e.Reason)
}

func malformed(format string, args ...any) error {
	return &lineError{Reason: fmt.Sprintf(format, args...)}
}

// ParseLine parses one line without its line terminator (a trailing CR is
// ignored). Blank lines and comments give KindNone. It returns
// ErrNotRecordKey or ErrUnknownLabel for well-formed lines that hold no key,
// and a *lineError for malformed ones; on error the Entry is zero.
// The returned Entry does not alias line.
func ParseLine(line []byte) (Entry, error) {
	line = bytes.TrimRight(line, "\r")
	line = bytes.TrimSpace(line)
	if len(line) > MaxLineLen {
		return Entry{}, malformed("line too long (%d bytes)", len(line))
	}
	switch {
	case len(line) == 0:
		return Entry{}, nil
	case line[0] == '#':
		if bytes.HasPrefix(line, []byte(secretsHeaderStart)) && string(line) != SecretsHeader && string(line) != SecretsHeaderV2 {
			return Entry{}, malformed("unsupported secrets version %q", line[len(secretsHeaderStart):])
		}
		return Entry{}, nil
	case line[0] == '{':
		return parseFrida(line)
	default:
		return parseSecrets(line)
	}
}

// fridaLine is the JSON shape of all three Frida lines. Pointers tell
// absent fields from empty ones.
type fridaLine struct {
	Layer    string  `json:"layer"`
	Encrypt  *bool   `json:"encrypt"`
	Key      *string `json:"key"`
	Nonce    *string `json:"nonce"`
	IV       *string `json:"iv"`
	Tag      *string `json:"tag"`
	Metadata *string `json:"metadata"`
	Tail     *string `json:"tail"`
}

func parseFrida(line []byte) (Entry, error) {
	var f fridaLine
	if err := json.Unmarshal(line, &f); err != nil {
		return Entry{}, malformed("bad json: %v", err)
	}
	if f.Encrypt == nil {
		return Entry{}, malformed("missing field %q", "encrypt")
	}
	e := Entry{Encrypt: *f.Encrypt}
	isGCM := f.Layer == layerInner && (f.IV != nil || f.Tag != nil)
	if isGCM && f.Tail != nil && len(*f.Tail) == 24 {
		e.TailIsIV = true // checked against iv below
	} else if err := fixedHex(f.Tail, "tail", e.Tail[:]); err != nil {
		return Entry{}, err
	}
	switch f.Layer {
	case layerOuter:
		if f.Metadata != nil && *f.Metadata == "" {
			return Entry{}, ErrNotRecordKey
		}
		if err := fixedHex(f.Key, "key", e.Key16[:]); err != nil {
			return Entry{}, err
		}
		if err := fixedHex(f.Nonce, "nonce", e.Nonce[:]); err != nil {
			return Entry{}, err
		}
		var aad [outerAADLen]byte
		if err := fixedHex(f.Metadata, "metadata", aad[:]); err != nil {
			return Entry{}, err
		}
		e.Kind = KindOuter
		e.Seq = binary.BigEndian.Uint64(aad[:8])
		copy(e.Header[:], aad[8:])
		e.BaseIV = mmtls.BaseIV(e.Nonce, e.Seq)
		return e, nil
	case layerInner:
		if f.IV == nil && f.Tag == nil {
			if err := fixedHex(f.Key, "key", e.Key16[:]); err != nil {
				return Entry{}, err
			}
			var iv [16]byte
			if err := fixedHex(f.Nonce, "nonce", iv[:]); err != nil {
				return Entry{}, err
			}
			if iv != e.Key16 {
				// doc/protocol.md §5: the business layer uses key = IV; a
				// different IV is not something we know how to use.
				return Entry{}, malformed("cbc nonce differs from key")
			}
			e.Kind = KindCBC
			return e, nil
		}
		if err := fixedHex(f.Key, "key", e.Key24[:]); err != nil {
			return Entry{}, err
		}
		if err := fixedHex(f.IV, "iv", e.IV[:]); err != nil {
			return Entry{}, err
		}
		if err := fixedHex(f.Tag, "tag", e.Tag[:]); err != nil {
			return Entry{}, err
		}
		if e.TailIsIV {
			var t [12]byte
			if err := fixedHex(f.Tail, "tail", t[:]); err != nil {
				return Entry{}, err
			}
			if t != e.IV {
				return Entry{}, malformed("gcm: 12-byte tail differs from iv")
			}
		}
		if f.Metadata != nil {
			if len(*f.Metadata) > 2*maxAADLen {
				return Entry{}, malformed("metadata too long")
			}
			aad, err := hex.DecodeString(*f.Metadata)
			if err != nil {
				return Entry{}, malformed("bad hex in %q", "metadata")
			}
			if len(aad) > 0 {
				e.AAD = aad
			}
		}
		e.Kind = KindGCM
		return e, nil
	default:
		return Entry{}, malformed("unknown layer %q", f.Layer)
	}
}

// fixedHex decodes a required hex field of exactly len(dst) bytes.
func fixedHex(s *string, name string, dst []byte) error {
	if s == nil {
		return malformed("missing field %q", name)
	}
	if len(*s) != 2*len(dst) {
		return malformed("field %q: want %d hex digits, got %d", name, 2*len(dst), len(*s))
	}
	if _, err := hex.Decode(dst, []byte(*s)); err != nil {
		return malformed("field %q: bad hex", name)
	}
	return nil
}

func parseSecrets(line []byte) (Entry, error) {
	fields := bytes.Fields(line)
	label := string(fields[0])
	args := fields[1:]
	var e Entry
	var want int
	switch label {
	case LabelSecret, LabelPSKAccess:
		want = 2
	case LabelSessionKey, LabelGCMKey:
		want = 1
	default:
		if !isLabel(label) {
			return Entry{}, malformed("not a key-log line")
		}
		return Entry{}, ErrUnknownLabel
	}
	if len(args) != want {
		return Entry{}, malformed("%s: want %d fields, got %d", label, want, len(args))
	}
	dec := func(i int, dst []byte) error {
		if len(args[i]) != 2*len(dst) {
			return malformed("%s: field %d: want %d hex digits, got %d", label, i+1, 2*len(dst), len(args[i]))
		}
		if _, err := hex.Decode(dst, args[i]); err != nil {
			return malformed("%s: field %d: bad hex", label, i+1)
		}
		return nil
	}
	switch label {
	case LabelSecret, LabelPSKAccess:
		e.Kind = KindSecret
		if label == LabelPSKAccess {
			e.Kind = KindPSKAccess
		}
		e.Secret = make([]byte, secretLen)
		if err := dec(0, e.ClientRandom[:]); err != nil {
			return Entry{}, err
		}
		if err := dec(1, e.Secret); err != nil {
			return Entry{}, err
		}
	case LabelSessionKey:
		e.Kind = KindSessionKey
		if err := dec(0, e.Key16[:]); err != nil {
			return Entry{}, err
		}
	case LabelGCMKey:
		e.Kind = KindGCMKey
		if err := dec(0, e.Key24[:]); err != nil {
			return Entry{}, err
		}
	}
	return e, nil
}

// isLabel reports whether s looks like a secrets label (A-Z, 0-9, _), so
// that unknown future labels are skipped but garbage is malformed.
func isLabel(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// AppendLine appends e in its own format (Frida JSON for Outer, CBC and GCM
// entries; a secrets line otherwise) and a newline. It writes nothing for
// KindNone. Parsing the result gives back e.
func AppendLine(dst []byte, e Entry) []byte {
	h := func(b []byte) string { return hex.EncodeToString(b) }
	q := func(dst []byte, name, val string) []byte {
		dst = append(dst, ',', '"')
		dst = append(dst, name...)
		dst = append(dst, `":"`...)
		dst = append(dst, val...)
		return append(dst, '"')
	}
	head := func(dst []byte, layer string) []byte {
		dst = append(dst, `{"layer":"`...)
		dst = append(dst, layer...)
		dst = append(dst, `","encrypt":`...)
		return strconv.AppendBool(dst, e.Encrypt)
	}
	switch e.Kind {
	case KindOuter:
		var aad [outerAADLen]byte
		binary.BigEndian.PutUint64(aad[:8], e.Seq)
		copy(aad[8:], e.Header[:])
		nonce := mmtls.RecordNonce(e.BaseIV, e.Seq)
		dst = head(dst, layerOuter)
		dst = q(dst, "nonce", h(nonce[:]))
		dst = q(dst, "key", h(e.Key16[:]))
		dst = q(dst, "metadata", h(aad[:]))
		dst = q(dst, "tail", h(e.Tail[:]))
		dst = append(dst, '}')
	case KindCBC:
		dst = head(dst, layerInner)
		dst = q(dst, "key", h(e.Key16[:]))
		dst = q(dst, "nonce", h(e.Key16[:]))
		dst = q(dst, "tail", h(e.Tail[:]))
		dst = append(dst, '}')
	case KindGCM:
		dst = head(dst, layerInner)
		dst = q(dst, "key", h(e.Key24[:]))
		dst = q(dst, "iv", h(e.IV[:]))
		dst = q(dst, "metadata", h(e.AAD))
		if e.TailIsIV {
			dst = q(dst, "tail", h(e.IV[:]))
		} else {
			dst = q(dst, "tail", h(e.Tail[:]))
		}
		dst = q(dst, "tag", h(e.Tag[:]))
		dst = append(dst, '}')
	case KindSecret, KindPSKAccess:
		label := LabelSecret
		if e.Kind == KindPSKAccess {
			label = LabelPSKAccess
		}
		return appendSecretsLine(dst, label, e.ClientRandom[:], e.Secret)
	case KindSessionKey:
		return appendSecretsLine(dst, LabelSessionKey, e.Key16[:])
	case KindGCMKey:
		return appendSecretsLine(dst, LabelGCMKey, e.Key24[:])
	default:
		return dst
	}
	return append(dst, '\n')
}

// appendSecretsLine appends one secrets key-log line: label, then each
// field in lowercase hex, space-separated, and a newline.
func appendSecretsLine(dst []byte, label string, fields ...[]byte) []byte {
	dst = append(dst, label...)
	for _, f := range fields {
		dst = append(dst, ' ')
		dst = hex.AppendEncode(dst, f)
	}
	return append(dst, '\n')
}
