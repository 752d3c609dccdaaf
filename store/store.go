package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"

	_ "modernc.org/sqlite" // pure-Go SQLite with FTS5: keeps CGO_ENABLED=0 builds
)

// FileName is the store's file inside a corpus folder.
const FileName = "corpus.db"

// ErrNotFound is returned by the single-row queries when no row matches.
var ErrNotFound = errors.New("store: not found")

// Store is an open corpus database. Its methods are safe for concurrent
// use; writes are serialised by SQLite.
type Store struct {
	db       *sql.DB
	readOnly bool
}

// Open opens (creating if needed) the store at path for reading and
// writing. It fails on a file written with another SchemaVersion.
func Open(path string) (*Store, error) {
	return open(path, false)
}

// OpenReadOnly opens an existing store for reading only; the corpus
// command may write it meanwhile (WAL mode lets both proceed).
func OpenReadOnly(path string) (*Store, error) {
	return open(path, true)
}

func open(path string, readOnly bool) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(0)")
	if readOnly {
		q.Set("mode", "ro")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	if !readOnly {
		if err := makePrivate(path); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s := &Store{db: db, readOnly: readOnly}
	if err := s.init(context.Background()); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", path, err)
	}
	return s, nil
}

// makePrivate creates the store's file owner-only, or makes an existing
// one so, with its -wal and -shm files: they hold every identifier in
// clear. SQLite gives the -wal and -shm files it creates the database
// file's mode, so creating that file first is enough for new ones.
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// StoredRedactionKey returns the key RedactionKey made, or nil when there
// is none yet; it works on a read-only store.
func (s *Store) StoredRedactionKey(ctx context.Context) ([]byte, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'redaction_key'`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return hex.DecodeString(v)
}

// RedactionKey returns the key of the store's pseudonyms (report.Redactor),
// made at random the first time: the shareable Parquet files of every run
// then give one value one pseudonym. It lives in the store, a secret file,
// because whoever holds it can test a guess against a pseudonym.
func (s *Store) RedactionKey(ctx context.Context) ([]byte, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'redaction_key'`).Scan(&v)
	if err == nil {
		return hex.DecodeString(v)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, `INSERT OR IGNORE INTO meta(key, value) VALUES ('redaction_key', ?)`, hex.EncodeToString(key)); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return s.RedactionKey(ctx) // the stored one, should another writer have won
}

func (s *Store) init(ctx context.Context) error {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&v)
	switch {
	case err == nil:
		if v != strconv.Itoa(SchemaVersion) {
			return fmt.Errorf("schema version %s, this wxaudit reads %d: write a new corpus folder", v, SchemaVersion)
		}
		return nil
	case s.readOnly:
		return fmt.Errorf("not a wxaudit corpus store: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)`, strconv.Itoa(SchemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the underlying database for ad-hoc read queries (the schema
// is documented in schema.go). Do not write through it.
func (s *Store) DB() *sql.DB { return s.db }
