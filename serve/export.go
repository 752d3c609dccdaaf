package serve

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Exports: the request list (JSON Lines, CSV) and one request (raw bytes,
// decoded JSON, decoded text), as files to download. They are redacted
// exactly as the pages are: identifying values become the pseudonyms the
// pages show, and the raw bytes, which hold every hidden value, are only
// given with --reveal. An export is shareable only when redacted; a
// revealed export says so in its file name and in X-Wxaudit-Redacted.

// errRawHidden refuses raw bytes on a redacting server.
var errRawHidden = errors.New("serve: the raw bytes hold every hidden value; start the server with --reveal to export them (the file is then not shareable)")

// exportHeaders marks a download: its file name (with "-revealed" when
// values are shown) and whether it is redacted.
func (s *server) exportHeaders(w http.ResponseWriter, name, ext, ctype string) {
	if s.red.reveal {
		name += "-revealed-not-shareable"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", `attachment; filename="`+safeFileName(name)+"."+ext+`"`)
	h.Set("X-Wxaudit-Redacted", strconv.FormatBool(!s.red.reveal))
}

// safeFileName keeps letters, digits, '-', '_' and '.' of a name.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// shownRequest is a request row as exported: free-text fields redacted as
// the pages redact text (a run label or endpoint can hold an identifier).
func (s *server) shownRequest(q Request) Request {
	q.Run, q.Feature, q.Recipient, q.URI = s.red.text(q.Run), s.red.text(q.Feature), s.red.text(q.Recipient), s.red.text(q.URI)
	return q
}

// eachRequest calls fn for every request matching the list's query: the
// filter expression (with the form fields) and, when q is set, a text
// that one of the request's shown values must contain (the search's
// rule). It pages through the source.
func (s *server) eachRequest(ctx context.Context, r *http.Request, fn func(Request) error) error {
	_, query, err := parseListQuery(r)
	if err != nil {
		return err
	}
	var only map[string]bool
	if text := r.URL.Query().Get("q"); strings.TrimSpace(text) != "" {
		if only, err = s.requestsWithText(ctx, text); err != nil {
			return err
		}
	}
	for off := 0; ; {
		p, err := s.src.Requests(ctx, Query{Where: query.Where, Sort: query.Sort, Offset: off, Limit: MaxLimit})
		if err != nil {
			return err
		}
		for _, q := range p.Requests {
			if only != nil && !only[q.ID] {
				continue
			}
			if err := fn(q); err != nil {
				return err
			}
		}
		off += len(p.Requests)
		if len(p.Requests) == 0 || off >= p.Total {
			return ctx.Err()
		}
	}
}

// requestsWithText returns the IDs of the requests with a search hit for
// text, as the search page shows it.
func (s *server) requestsWithText(ctx context.Context, text string) (map[string]bool, error) {
	res, err := s.runSearch(ctx, text)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, h := range res.Hits {
		ids[h.Request] = true
	}
	return ids, nil
}

func (s *server) exportJSONL(w http.ResponseWriter, r *http.Request) {
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	if err := s.eachRequest(r.Context(), r, func(q Request) error { return enc.Encode(s.shownRequest(q)) }); err != nil {
		s.fail(w, r, err)
		return
	}
	s.exportHeaders(w, "wxaudit-requests", "jsonl", "application/jsonl; charset=utf-8")
	io.WriteString(w, buf.String())
}

// csvColumns are the CSV export's columns.
var csvColumns = []string{"id", "run", "seq", "time", "feature", "recipient", "endpoint", "req_type", "size", "permissions", "data_types", "appids"}

func (s *server) exportCSV(w http.ResponseWriter, r *http.Request) {
	var buf strings.Builder
	cw := csv.NewWriter(&buf)
	cw.Write(csvColumns)
	err := s.eachRequest(r.Context(), r, func(q Request) error {
		q = s.shownRequest(q)
		row := []string{q.ID, q.Run, itoa(q.Seq), q.Time, q.Feature, q.Recipient, q.Endpoint(), itoa(q.ReqType), itoa(q.Size),
			q.Permissions, strings.Join(q.DataTypes, " "), strings.Join(q.AppIDs, " ")}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		return cw.Write(row)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cw.Flush()
	s.exportHeaders(w, "wxaudit-requests", "csv", "text/csv; charset=utf-8")
	io.WriteString(w, buf.String())
}

// csvCell defuses a cell a spreadsheet would run as a formula (a hostile
// endpoint or run label starting with = + - @): it gets a leading quote,
// as OWASP's CSV injection advice says.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// exportRequest answers /export/requests/{file}: ID.json (the decoded
// request as /api/requests/{id} gives it), ID.txt (the decoded tree as
// indented text, protobuf fields by number) or ID.bin (the raw payload,
// with --reveal only).
func (s *server) exportRequest(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		s.fail(w, r, ErrNotFound)
		return
	}
	id, ext := file[:i], file[i+1:]
	if ext != "json" && ext != "txt" && ext != "bin" {
		s.fail(w, r, ErrNotFound)
		return
	}
	d, err := s.loadRequest(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := "wxaudit-request-" + id
	switch ext {
	case "bin":
		if !s.red.reveal {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, errRawHidden.Error()+"\n")
			return
		}
		s.exportHeaders(w, name, "bin", "application/octet-stream")
		w.Write(d.Q.Payload)
	case "json":
		s.exportHeaders(w, name, "json", "application/json; charset=utf-8")
		writeJSON(w, s.requestJSON(d))
	case "txt":
		var b strings.Builder
		q := s.shownRequest(d.Q.Request)
		fmt.Fprintf(&b, "# wxaudit request %s: run %s #%d, %s, %s → %s\n", q.ID, q.Run, q.Seq, q.Endpoint(), q.Feature, q.Recipient)
		if s.red.reveal {
			b.WriteString("# values shown in clear (--reveal): not shareable\n")
		} else {
			b.WriteString("# identifying values pseudonymised as on the pages\n")
		}
		for _, f := range d.Findings {
			fmt.Fprintf(&b, "# finding %s: %s at %s = %s\n", f.ID, f.DataType, f.Evidence.FieldPath, oneLine(f.Evidence.Value))
		}
		switch {
		case d.View == nil:
			b.WriteString("# no payload in this source\n")
		case d.View.Root != nil:
			writeTreeText(&b, d.View.Root, 0)
		}
		s.exportHeaders(w, name, "txt", "text/plain; charset=utf-8")
		io.WriteString(w, b.String())
	}
}

// writeTreeText writes a decoded tree as indented text: a message as
// "label {" … "}", a leaf as "label: value  # kind".
func writeTreeText(b *strings.Builder, n *treeNode, depth int) {
	ind := strings.Repeat("  ", depth)
	label := n.Label()
	if len(n.Children) > 0 {
		fmt.Fprintf(b, "%s%s {  # %s\n", ind, label, n.Kind)
		for _, c := range n.Children {
			writeTreeText(b, c, depth+1)
		}
		fmt.Fprintf(b, "%s}\n", ind)
		return
	}
	v := n.Value
	switch n.Kind {
	case "varint", "fixed32", "fixed64", "bool":
	default:
		v = strconv.Quote(v)
	}
	fmt.Fprintf(b, "%s%s: %s  # %s\n", ind, label, v, n.Kind)
}

func oneLine(s string) string { return strconv.Quote(s) }

// exportQuery is the query string of the list's export links: the list's
// filter and text.
func exportQuery(form *listForm, text string) string {
	v := url.Values{}
	if form.Expr != "" {
		v.Set("where", form.Expr)
	}
	if text != "" {
		v.Set("q", text)
	}
	if form.Sort != "" {
		v.Set("sort", form.Sort)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}
