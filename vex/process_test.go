package vex_test

import (
	"os"
	"os/exec"
	"testing"
)

// TestFreshProcess builds the golden release in a new process under other
// time zones and compares the bytes with this process's.
func TestFreshProcess(t *testing.T) {
	if os.Getenv("VEXIL_VEX_PRINT") == "1" {
		os.Stdout.Write(mustCanonical(t, mustBuild(t, testOptions(), testRelease(), testStatements())))
		return
	}
	want := mustCanonical(t, mustBuild(t, testOptions(), testRelease(), testStatements()))
	for _, tz := range []string{"UTC", "Pacific/Chatham", "America/St_Johns"} {
		t.Run(tz, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestFreshProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "VEXIL_VEX_PRINT=1", "TZ="+tz)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			// The child prints the document, then the test framework's PASS.
			if len(out) < len(want) || string(out[:len(want)]) != string(want) {
				t.Errorf("a fresh process gave other bytes:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}
