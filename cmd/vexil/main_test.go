package main

import (
	"context"
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar")

// TestScripts runs the command-line tests of testdata/script: every script
// runs vexil in-process, as a user would run it in the script's directory.
// $EXAMPLES is the examples directory of the repository.
//
//	vexil ARGS...     runs vexil; fails unless it exits 0 (! vexil: non-zero)
//	exitcode N        fails unless the last vexil exited with N
//	registry ...      starts and inspects a test registry (registry_test.go)
//	attest ...        pushes VEX attestations to it (attest_test.go)
func TestScripts(t *testing.T) {
	registries := newTestRegistries(t)
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			registries.setup(env)
			// Scripts that run git get no background gc or maintenance: a
			// detached git still writing into .git races the cleanup of
			// the script's work directory.
			env.Setenv("GIT_CONFIG_COUNT", "2")
			env.Setenv("GIT_CONFIG_KEY_0", "gc.auto")
			env.Setenv("GIT_CONFIG_VALUE_0", "0")
			env.Setenv("GIT_CONFIG_KEY_1", "maintenance.auto")
			env.Setenv("GIT_CONFIG_VALUE_1", "false")
			examples, err := filepath.Abs("../../examples")
			env.Setenv("EXAMPLES", examples)
			return err
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"vexil":    cmdVexil,
			"exitcode": cmdExitCode,
			"registry": registries.cmd,
			"attest":   cmdAttest,
		},
	})
}

func cmdVexil(ts *testscript.TestScript, neg bool, args []string) {
	env := &environment{
		In:     strings.NewReader(""),
		Out:    ts.Stdout(),
		Err:    ts.Stderr(),
		Getwd:  func() (string, error) { return ts.MkAbs("."), nil },
		Getenv: ts.Getenv,
	}
	code := run(context.Background(), env, args)
	ts.Setenv("VEXIL_EXIT", strconv.Itoa(code))
	switch {
	case neg && code == 0:
		ts.Fatalf("vexil exited 0, want a failure")
	case !neg && code != 0:
		ts.Fatalf("vexil exited %d, want 0", code)
	}
}

func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: exitcode N")
	}
	if got := ts.Getenv("VEXIL_EXIT"); got != args[0] {
		ts.Fatalf("vexil exited %s, want %s", got, args[0])
	}
}
