package decrypt

import "github.com/wxaudit/wxaudit/payload"

// Sink receives every payload of a run, in the order Run emits them, after
// emit has seen it (an export such as the Wireshark pcapng writer). An
// error from Payload ends the run like one from emit. The argument is not
// reused by Run; a Sink must not modify it.
type Sink interface {
	Payload(*payload.Payload) error
}
