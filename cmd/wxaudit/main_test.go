package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"wxaudit": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the CLI scripts in testdata/*.txt. Scripts that need the
// Citizen Lab fixtures find them through $SHARED (empty when absent).
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata",
		Setup:         setupScript,
		UpdateScripts: os.Getenv("WXAUDIT_UPDATE_SCRIPTS") == "1",
	})
}
