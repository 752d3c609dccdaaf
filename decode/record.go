// This file turns one Payload into a decoded Record.

package decode

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/wxaudit/wxaudit/catalog"
	"github.com/wxaudit/wxaudit/payload"
	"github.com/wxaudit/wxaudit/schemaless"
)

// Record is the decoded form of one payload: the input's provenance, what
// the catalog knows about its endpoint, and the tree.
type Record struct {
	// Input is the payload's provenance; its Payload bytes are cleared
	// (the tree holds them) unless Options.KeepPayload.
	Input    payload.Payload `json:"input"`
	Endpoint string          `json:"endpoint,omitempty"` // API path
	Feature  string          `json:"feature"`
	Size     int             `json:"size"`
	SHA256   string          `json:"sha256"`
	// Empty is set for payloads with no bytes; Tree is nil then.
	Empty bool `json:"empty,omitempty"`
	// Opaque is set when nothing structured was found; Reason says why.
	Opaque  bool     `json:"opaque,omitempty"`
	Reason  string   `json:"reason,omitempty"`
	Stopped int      `json:"stopped"`
	Budgets []string `json:"budgets,omitempty"`
	// Tree is the decoded tree; AppendJSON writes its nodes as "fields".
	Tree *schemaless.Tree `json:"-"`
}

// Options configures a Decoder.
type Options struct {
	Schemaless  schemaless.Options
	Catalog     *catalog.Catalog // nil: catalog.Default()
	Schema      *Schema          // field names from a .proto; win over the catalog's
	KeepPayload bool             // keep Input.Payload in records
}

// Decoder decodes payloads into Records. It observes (request type, path)
// pairs into its catalog as it goes.
type Decoder struct {
	opts Options
	cat  *catalog.Catalog
}

// NewDecoder returns a Decoder.
func NewDecoder(opts Options) *Decoder {
	c := opts.Catalog
	if c == nil {
		c = catalog.Default()
	}
	return &Decoder{opts: opts, cat: c}
}

// Catalog returns the decoder's catalog, with the observations so far.
func (d *Decoder) Catalog() *catalog.Catalog { return d.cat }

// Decode decodes one payload. It never fails. The Record's tree aliases
// p.Payload.
func (d *Decoder) Decode(p payload.Payload) Record {
	if p.URI != "" {
		d.cat.Observe(p.ReqType, p.URI)
	}
	ep, feat := d.cat.Resolve(p.ReqType, p.URI)
	sum := sha256.Sum256(p.Payload)
	r := Record{Input: p, Endpoint: ep, Feature: feat, Size: len(p.Payload), SHA256: hex.EncodeToString(sum[:])}
	if !d.opts.KeepPayload {
		r.Input.Payload = payload.Hex{}
	}
	if len(p.Payload) == 0 {
		r.Empty = true
		return r
	}
	m := schemaless.Decode(p.Payload, d.opts.Schemaless)
	// An explicit schema names first; the catalog fills in the rest.
	if d.opts.Schema != nil {
		d.opts.Schema.Apply(m, ep)
	}
	d.cat.Apply(m, ep)
	r.Tree = m
	r.Stopped = m.Stopped
	r.Budgets = m.Budgets
	if m.Opaque() {
		r.Opaque = true
		r.Reason = m.Root.Reason
	}
	return r
}
