package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wxaudit": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the CLI scripts in testdata/*.txt. Scripts that need the
// Citizen Lab fixtures find them through $SHARED and guard those steps with
// [!shared] skip, which fails under WXAUDIT_REQUIRE_SHARED=1 (setup_test.go).
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata",
		Setup:         setupScript,
		Condition:     scriptCondition,
		UpdateScripts: os.Getenv("WXAUDIT_UPDATE_SCRIPTS") == "1",
		Cmds:          map[string]func(*testscript.TestScript, bool, []string){"gzip": gzipCmd, "unhex": unhexCmd, "private": privateCmd},
	})
}

// gzipCmd is "gzip SRC DST": DST is SRC gzip-compressed.
func gzipCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: gzip SRC DST")
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(ts.ReadFile(args[0])))
	ts.Check(zw.Close())
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), buf.Bytes(), 0o644))
}

// unhexCmd is "unhex SRC DST": DST is the bytes SRC spells in hex (white
// space ignored), for binary inputs in a text script.
func unhexCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: unhex SRC DST")
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(ts.ReadFile(args[0])), ""))
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o644))
}

// privateCmd is "private PATH...": each path, and everything under a
// folder, is its owner's only (files 0600, folders 0700): the secret
// outputs of doc/privacy.md.
func privateCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: private PATH...")
	}
	for _, a := range args {
		ts.Check(filepath.WalkDir(ts.MkAbs(a), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			want := fs.FileMode(0o600)
			if fi.IsDir() {
				want = 0o700
			}
			if fi.Mode().Perm() != want {
				ts.Fatalf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
			}
			return nil
		}))
	}
}
