package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxGramRunes is the longest query the gram table answers; longer ones
// go to the trigram index.
const maxGramRunes = 2

// chars splits s into characters exactly as SQLite's LIKE reads them
// (sqlite3Utf8Read in its utf.c), so that the gram table gives LIKE's
// hits even on bytes that are not UTF-8: a lead byte takes every
// continuation byte after it, an overlong, surrogate or U+FFFE/FFFF
// result is U+FFFD, a lone continuation byte is the code point of its
// value, and a NUL ends the text. ASCII letters are lowercased: LIKE
// ignores case for ASCII only. Each character is returned as its UTF-8
// form, or, beyond U+10FFFF, as U+FFFF and eight hex digits: U+FFFF is
// never a character here (it reads as U+FFFD), so no text collides.
func chars(s string) []string {
	out := make([]string, 0, len(s))
	for i := 0; i < len(s) && s[i] != 0; {
		c := uint32(s[i])
		i++
		if c >= 0xc0 {
			c = utf8Trans1[c-0xc0]
			for ; i < len(s) && s[i]&0xc0 == 0x80; i++ {
				c = c<<6 + uint32(s[i]&0x3f)
			}
			if c < 0x80 || c&0xFFFFF800 == 0xD800 || c&0xFFFFFFFE == 0xFFFE {
				c = 0xFFFD
			}
		}
		switch {
		case 'A' <= c && c <= 'Z':
			out = append(out, string(rune(c+'a'-'A')))
		case c <= utf8.MaxRune:
			out = append(out, string(rune(c)))
		default:
			out = append(out, fmt.Sprintf("\uffff%08x", c))
		}
	}
	return out
}

// utf8Trans1 is SQLite's sqlite3Utf8Trans1: the value bits of a lead byte
// from 0xc0 up.
var utf8Trans1 = [64]uint32{
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x00, 0x01, 0x02, 0x03, 0x00, 0x01, 0x00, 0x00,
}

// textChars splits s into characters as instr(lower(s), …) compares
// them: ASCII letters lowercased (SQLite's lower() folds ASCII only), a
// byte that starts no valid UTF-8 sequence on its own, NUL included.
func textChars(s string) []string {
	out := make([]string, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if 'A' <= r && r <= 'Z' {
			out = append(out, string(r+'a'-'A'))
		} else {
			out = append(out, s[i:i+n])
		}
		i += n
	}
	return out
}

// grams returns the distinct one- and two-character substrings of the
// characters cs, as a JSON array for json_each.
func grams(cs []string, seen map[string]bool) string {
	clear(seen)
	out := make([]string, 0, 2*len(cs))
	add := func(g string) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	for i, c := range cs {
		add(c)
		if i+1 < len(cs) {
			add(c + cs[i+1])
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic("store: internal error: " + err.Error())
	}
	return string(b)
}

// runID gives the run its number in runids, which keys its grams.
func runID(ctx context.Context, tx *sql.Tx, label string) (int64, error) {
	var runid int64
	err := tx.QueryRowContext(ctx, `INSERT INTO runids (run, runid) SELECT ?, coalesce(max(runid), 0) + 1 FROM runids RETURNING runid`, label).Scan(&runid)
	return runid, err
}

// gramWriter fills one gram table for one run inside PutRun's transaction,
// and gram_runs with the run's distinct grams when it is done.
type gramWriter struct {
	stmt  *sql.Stmt
	runid int64
	table string
	split func(string) []string
	seen  map[string]bool
	all   map[string]bool // the run's grams: a few thousand, bounded by the text's alphabet
}

// newGramWriter prepares the inserts into table (strings_grams or
// findings_grams), whose values split splits into characters, with the
// key columns keys after runid and gram.
func newGramWriter(ctx context.Context, tx *sql.Tx, runid int64, table string, keys []string, split func(string) []string) (*gramWriter, error) {
	// One statement per value, not per gram: a value has dozens.
	stmt, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO `+table+` (runid, gram, `+strings.Join(keys, ", ")+`)
		SELECT ?, value, `+strings.Repeat("?, ", len(keys)-1)+`? FROM json_each(?)`)
	if err != nil {
		return nil, err
	}
	return &gramWriter{stmt: stmt, runid: runid, table: table, split: split, seen: map[string]bool{}, all: map[string]bool{}}, nil
}

// add indexes value under the key columns' values keys.
func (g *gramWriter) add(ctx context.Context, value string, keys ...any) error {
	gs := grams(g.split(value), g.seen)
	for k := range g.seen {
		g.all[k] = true
	}
	_, err := g.stmt.ExecContext(ctx, append(append([]any{g.runid}, keys...), gs)...)
	return err
}

// finish records in gram_runs which grams the run holds.
func (g *gramWriter) finish(ctx context.Context, tx *sql.Tx) error {
	list := make([]string, 0, len(g.all))
	for k := range g.all {
		list = append(list, k)
	}
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO gram_runs (tbl, gram, runid) SELECT ?, value, ? FROM json_each(?)`,
		g.table, g.runid, jsonText(list))
	return err
}

func (g *gramWriter) Close() error { return g.stmt.Close() }

// maxVids bounds the values vids remembers: a run's strings stream, and
// memory stays flat however many distinct values a run holds.
var maxVids = 1 << 16

// vids numbers the distinct values of a run for a gram table and indexes
// each the first time it is seen. Once it has seen maxVids values it
// starts over: a value seen again then gets a second number and is
// indexed twice, which costs room, not hits.
type vids struct {
	m    map[string]int64
	next int64
}

func newVids() *vids { return &vids{m: map[string]int64{}} }

func (v *vids) of(ctx context.Context, gw *gramWriter, value string) (int64, error) {
	if id, ok := v.m[value]; ok {
		return id, nil
	}
	if len(v.m) == maxVids {
		clear(v.m)
	}
	v.next++
	v.m[value] = v.next
	return v.next, gw.add(ctx, value, v.next)
}

// deleteGrams removes a run's grams: ranges of the keys, as runid leads
// them.
func deleteGrams(ctx context.Context, tx *sql.Tx, label string) error {
	var runid int64
	err := tx.QueryRowContext(ctx, `SELECT runid FROM runids WHERE run = ?`, label).Scan(&runid)
	if err == sql.ErrNoRows {
		return nil
	}
	for _, q := range []string{
		// The run's grams, found from its rows of each gram table.
		`DELETE FROM gram_runs WHERE tbl = 'strings_grams' AND runid = ?1 AND gram IN (SELECT gram FROM strings_grams WHERE runid = ?1)`,
		`DELETE FROM gram_runs WHERE tbl = 'findings_grams' AND runid = ?1 AND gram IN (SELECT gram FROM findings_grams WHERE runid = ?1)`,
		`DELETE FROM strings_grams WHERE runid = ?1`, `DELETE FROM findings_grams WHERE runid = ?1`, `DELETE FROM runids WHERE runid = ?1`,
	} {
		if err == nil {
			_, err = tx.ExecContext(ctx, q, runid)
		}
	}
	if err != nil {
		return fmt.Errorf("store: delete run %s from the gram tables: %w", label, err)
	}
	return nil
}
