// This file implements MMTLS alerts. See doc/protocol.md, section 2. The layout
// is measured: u32 length (3) | u16 description | u8 level. Clients and
// servers close every Shortlink direction with description 1, level 1
// (encrypted), which also ends early data; a server rejected a resumption
// with a plaintext description 0x73, level 2.

package mmtls

import "fmt"

// alertLevel is the last byte of an alert.
type alertLevel uint8

const (
	alertLevelWarning alertLevel = 1
	alertLevelFatal   alertLevel = 2
)

func (l alertLevel) String() string {
	switch l {
	case alertLevelWarning:
		return "warning"
	case alertLevelFatal:
		return "fatal"
	}
	return fmt.Sprintf("level %d", uint8(l))
}

// alertDescription says why an alert was sent.
type alertDescription uint16

// alertCloseNotify closes a direction (and ends 0-RTT early data).
const alertCloseNotify alertDescription = 1

func (d alertDescription) String() string {
	if d == alertCloseNotify {
		return "close notify"
	}
	return fmt.Sprintf("alert 0x%04x", uint16(d))
}

// alert is the body of an alert record.
type alert struct {
	Description alertDescription
	Level       alertLevel
}

// closeNotify is the alert that ends a Shortlink direction.
var closeNotify = alert{Description: alertCloseNotify, Level: alertLevelWarning}

func (a alert) String() string { return fmt.Sprintf("%v (%v)", a.Description, a.Level) }

// parseAlert parses a plaintext or decrypted alert record body.
func parseAlert(b []byte) (alert, error) {
	r, err := openMessage(b)
	if err != nil {
		return alert{}, err
	}
	var d uint16
	var l uint8
	if !r.u16(&d) || !r.u8(&l) || !r.empty() {
		return alert{}, malformed(r.off, "alert")
	}
	return alert{Description: alertDescription(d), Level: alertLevel(l)}, nil
}

// marshal returns the alert as a record body (before any encryption).
func (a alert) marshal() []byte {
	return []byte{0, 0, 0, 3, byte(a.Description >> 8), byte(a.Description), byte(a.Level)}
}
