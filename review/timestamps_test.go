package review

import (
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/gitstore"
	"github.com/vexil-dev/vexil/internal/gittest"
	"github.com/vexil-dev/vexil/statements"
)

// TestTimestamps: a file's time is when its content was last written, not
// when the branch that wrote it was merged; uncommitted changes take now.
func TestTimestamps(t *testing.T) {
	g := newGitRepo(t)
	g.write(baseFiles())
	g.commit("base") // commit 0
	g.git("checkout", "-q", "-b", "side")
	g.write(map[string]string{"statements/proxy/side.yaml": stmt("CVE-2024-0001", "proxy", statements.StatusAffected)})
	g.commit("side writes a statement") // 1
	g.git("checkout", "-q", "main")
	g.write(map[string]string{fileNet: stmt("CVE-2024-24790", "proxy", statements.StatusFixed)})
	g.commit("main fixes") // 2
	g.commit("main again") // 3
	g.git("merge", "-q", "--no-ff", "-m", "merge side late", "side")
	g.commits++ // the merge is commit 4
	merge := g.git("rev-parse", "HEAD")

	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	ft, err := Timestamps(context.Background(), g.dir, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		fileHTTP2:                    when(0),
		fileCtl:                      when(0),
		fileBroken:                   when(0),
		fileNet:                      when(2),
		"statements/proxy/side.yaml": when(1), // not when(4): the merge wrote nothing
	}
	if !maps.Equal(ft.Times, want) {
		t.Errorf("times:\ngot  %v\nwant %v", ft.Times, want)
	}
	if ft.Head != merge {
		t.Errorf("head: got %s, want %s", ft.Head, merge)
	}
	if len(ft.Dirty) != 0 {
		t.Errorf("dirty: got %q, want none", ft.Dirty)
	}

	// Uncommitted: a modified, an untracked and a deleted file.
	g.write(map[string]string{
		fileHTTP2:                   stmt("CVE-2023-44487", "proxy", statements.StatusFixed),
		"statements/proxy/new.yaml": stmt("CVE-2024-0002", "proxy", statements.StatusFixed),
	})
	g.remove(fileCtl)
	ft, err = Timestamps(context.Background(), filepath.Join(g.dir, "statements", ".."), now)
	if err != nil {
		t.Fatal(err)
	}
	want[fileHTTP2] = now.UTC()
	want["statements/proxy/new.yaml"] = now.UTC()
	delete(want, fileCtl)
	if !maps.Equal(ft.Times, want) {
		t.Errorf("times:\ngot  %v\nwant %v", ft.Times, want)
	}
	if wantDirty := []string{fileCtl, fileHTTP2, "statements/proxy/new.yaml"}; !slices.Equal(ft.Dirty, wantDirty) {
		t.Errorf("dirty: got %q, want %q", ft.Dirty, wantDirty)
	}
}

// TestTimestampsShallow: a depth-1 clone lacks the commits that wrote the
// files; the answer is an error that says how to fetch, never the clone's
// one commit as everyone's time.
func TestTimestampsShallow(t *testing.T) {
	g := newGitRepo(t)
	g.write(baseFiles())
	g.commit("base")
	g.write(map[string]string{fileNet: stmt("CVE-2024-24790", "proxy", statements.StatusFixed)})
	g.commit("fix")
	clone := t.TempDir()
	gittest.Run(t, filepath.Dir(clone), epoch, "clone", "-q", "--depth", "1", "file://"+g.dir, clone)
	_, err := Timestamps(context.Background(), clone, time.Now())
	if !errors.Is(err, gitstore.ErrShallow) {
		t.Fatalf("got %v, want ErrShallow", err)
	}
}
