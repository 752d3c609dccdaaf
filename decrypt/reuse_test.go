package decrypt

import (
	"net/netip"
	"testing"

	"github.com/wxaudit/wxaudit/keylog"
	"github.com/wxaudit/wxaudit/link"
	"github.com/wxaudit/wxaudit/mmtls"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/reassemble"
	"github.com/wxaudit/wxaudit/taxonomy"
)

// TestConnReusedOnlyAfterClose closes a Shortlink connection that still
// holds a response message, which Close then opens and commits: the conn
// must not be reused (zeroed) before Close has returned, nor while a job
// of its is in flight, and must be reused after.
func TestConnReusedOnlyAfterClose(t *testing.T) {
	for _, workers := range []int{0, 2} {
		d := &decrypter{
			opts:  Options{ReusePayloads: true},
			stats: newStats(),
			emit:  func(*payload.Payload) error { return nil },
			aeads: map[keylog.KeyIV]*mmtls.XORNonceAEAD{},
		}
		d.biz.init(d)
		d.order.start(d, workers)
		id := reassemble.ConnID{Client: netip.MustParseAddrPort("10.0.0.1:40000"), Server: netip.MustParseAddrPort("10.0.0.2:80")}
		c := newConn(d, reassemble.Conn{ID: id})
		c.setKind(link.KindShortlink)
		c.requestSeen = true
		c.half[1].app = []byte("not a business packet") // a response without its alert
		c.Close("fin")
		d.order.finish()
		if got := d.stats.PayloadsNotDecrypted; got["inner: "+taxonomy.ReasonMalformed] != 1 {
			t.Errorf("%d workers: the held response was not opened at close: %v", workers, got)
		}
		if d.stats.Connections != 1 {
			t.Errorf("%d workers: %d connections counted, want 1", workers, d.stats.Connections)
		}
		if len(d.freeConns) != 1 || d.freeConns[0] != c || c.d != nil {
			t.Fatalf("%d workers: the closed conn was not put aside for reuse (free %d)", workers, len(d.freeConns))
		}
		if c2 := newConn(d, reassemble.Conn{ID: id, Index: 1}); c2 != c || c2.d != d || c2.closed || c2.jobs != 0 {
			t.Errorf("%d workers: the next conn did not reuse the closed one cleanly", workers)
		}
	}
}
