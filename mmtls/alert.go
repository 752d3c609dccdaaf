// This file implements MMTLS alerts. See doc/protocol.md, section 2. The layout
// is measured: u32 length (3) | u16 description | u8 level. Clients and
// servers close every Shortlink direction with description 1, level 1
// (encrypted), which also ends early data; a server rejected a resumption
// with a plaintext description 0x73, level 2.

package mmtls

import "fmt"

// AlertLevel is the last byte of an alert.
type AlertLevel uint8

const (
	AlertLevelWarning AlertLevel = 1
	AlertLevelFatal   AlertLevel = 2
)

func (l AlertLevel) String() string {
	switch l {
	case AlertLevelWarning:
		return "warning"
	case AlertLevelFatal:
		return "fatal"
	}
	return fmt.Sprintf("level %d", uint8(l))
}

// AlertDescription says why an alert was sent.
type AlertDescription uint16

// AlertCloseNotify closes a direction (and ends 0-RTT early data).
const AlertCloseNotify AlertDescription = 1

func (d AlertDescription) String() string {
	if d == AlertCloseNotify {
		return "close notify"
	}
	return fmt.Sprintf("alert 0x%04x", uint16(d))
}

// Alert is the body of an alert record.
type Alert struct {
	Description AlertDescription
	Level       AlertLevel
}

// CloseNotify is the alert that ends a Shortlink direction.
var CloseNotify = Alert{Description: AlertCloseNotify, Level: AlertLevelWarning}

func (a Alert) String() string { return fmt.Sprintf("%v (%v)", a.Description, a.Level) }

// ParseAlert parses a plaintext or decrypted alert record body.
func ParseAlert(b []byte) (Alert, error) {
	r, err := openMessage(b)
	if err != nil {
		return Alert{}, err
	}
	var d uint16
	var l uint8
	if !r.u16(&d) || !r.u8(&l) || !r.empty() {
		return Alert{}, malformed(r.off, "alert")
	}
	return Alert{Description: AlertDescription(d), Level: AlertLevel(l)}, nil
}

// Marshal returns the alert as a record body (before any encryption).
func (a Alert) Marshal() []byte {
	return []byte{0, 0, 0, 3, byte(a.Description >> 8), byte(a.Description), byte(a.Level)}
}
