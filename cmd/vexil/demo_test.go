package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestDemoLeavesNothing runs the demo with the temporary and cache
// directories pointed at empty ones, and checks that both are empty again
// afterwards and that no step failed.
func TestDemoLeavesNothing(t *testing.T) {
	tmp, cache, home := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", home)
	t.Setenv("COSIGN_PASSWORD", "")
	os.Unsetenv("COSIGN_PASSWORD") // t.Setenv restores it afterwards
	var out, errOut bytes.Buffer
	env := &environment{In: strings.NewReader(""), Out: &out, Err: &errOut, Getwd: func() (string, error) { return t.TempDir(), nil }}
	if code := run(context.Background(), env, []string{"demo"}); code != exitOK {
		t.Fatalf("vexil demo exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, dir := range []string{tmp, cache, home} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 0 {
			t.Errorf("%s holds %d entries after the demo (first %s), want none", dir, len(entries), entries[0].Name())
		}
	}
	if got := strings.Count(out.String(), "\n$ vexil ") + strings.Count(out.String(), "\n$ COSIGN_PASSWORD=demo vexil publish "); got != 8 {
		t.Errorf("the demo ran %d vexil commands, want 8 (init, new, new, check, publish, publish, verify, pull)", got)
	}
	if v, ok := os.LookupEnv("COSIGN_PASSWORD"); ok {
		t.Errorf("COSIGN_PASSWORD=%q after the demo, want it unset as before", v)
	}
}
