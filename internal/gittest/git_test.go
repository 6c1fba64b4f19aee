package gittest

import (
	"testing"
	"time"
)

// TestRunStableHashes: the same files committed at the same time give the
// same commit hash on every machine, whatever the user's git configuration.
func TestRunStableHashes(t *testing.T) {
	Require(t)
	t.Setenv("GIT_AUTHOR_NAME", "Someone Else") // the environment loses to Env
	t.Setenv("GIT_COMMITTER_DATE", "2001-01-01T00:00:00Z")
	dir := t.TempDir()
	when := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	Run(t, dir, when, "init", "-q", "-b", "main")
	Write(t, dir, map[string]string{"statements/a.yaml": "a\n"})
	Run(t, dir, when, "add", "-A")
	Run(t, dir, when, "commit", "-q", "-m", "base")
	if got, want := Run(t, dir, when, "rev-parse", "HEAD"), "4067c90851e71092e64af6755ae040009d0aeabc"; got != want {
		t.Errorf("got commit %s, want %s", got, want)
	}
	if got, want := Run(t, dir, when, "log", "-1", "--format=%an <%ae> %cn %ct"), "Test <test@example.com> Test 1709294400"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCost(t *testing.T) {
	if CPUTime() <= 0 {
		t.Errorf("CPUTime: got %v, want > 0", CPUTime())
	}
	if n, ok := PeakRSS(); ok && n < 1<<20 {
		t.Errorf("PeakRSS: got %d bytes, want at least 1 MiB", n)
	}
}
