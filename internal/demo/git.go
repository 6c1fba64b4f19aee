package demo

import (
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Author is who makes a commit, and when.
type Author struct {
	Name  string
	Email string
	When  time.Time
}

// Commit records every file under dir (but .git) as a new commit on the
// branch main of the git repository in dir, creating the repository if
// there is none, and returns the commit hash. It writes loose objects and
// refs as git itself does, so git, go-git and vexil read the history as any
// other; it writes no index (`git status` shows files as staged for
// deletion until `git reset`), since vexil compares the work tree with HEAD.
func Commit(dir, message string, a Author) (string, error) {
	gitDir := filepath.Join(dir, ".git")
	if err := initRepo(gitDir); err != nil {
		return "", err
	}
	tree, err := writeTree(gitDir, dir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "tree %s\n", tree)
	head := filepath.Join(gitDir, "refs", "heads", "main")
	if parent, err := os.ReadFile(head); err == nil {
		fmt.Fprintf(&b, "parent %s\n", strings.TrimSpace(string(parent)))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("reading %s: %w", head, err)
	}
	sig := fmt.Sprintf("%s <%s> %d +0000", a.Name, a.Email, a.When.Unix())
	fmt.Fprintf(&b, "author %s\ncommitter %s\n\n%s\n", sig, sig, strings.TrimRight(message, "\n"))
	commit, err := writeObject(gitDir, "commit", []byte(b.String()))
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(head, []byte(commit+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("updating %s: %w", head, err)
	}
	return commit, nil
}

// initRepo creates the skeleton of a git repository in gitDir unless it
// exists.
func initRepo(gitDir string) error {
	if _, err := os.Stat(filepath.Join(gitDir, "HEAD")); err == nil {
		return nil
	}
	for _, d := range []string{"objects", "refs/heads", "refs/tags"} {
		if err := os.MkdirAll(filepath.Join(gitDir, d), 0o755); err != nil {
			return fmt.Errorf("creating a git repository: %w", err)
		}
	}
	files := map[string]string{
		"HEAD":   "ref: refs/heads/main\n",
		"config": "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(gitDir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("creating a git repository: %w", err)
		}
	}
	return nil
}

// writeTree writes the tree of directory dir (its blobs and subtrees) and
// returns its hash, or "" for a directory without files below it (the
// top directory always has a tree).
func writeTree(gitDir, dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", dir, err)
	}
	type item struct {
		mode, name, sortKey string
		hash                []byte
	}
	var items []item
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		var mode, h string
		switch {
		case e.Name() == ".git":
			continue
		case e.IsDir():
			mode = "40000"
			if h, err = writeTree(gitDir, path); err != nil {
				return "", err
			}
			if h == "" {
				continue // git keeps no empty directories
			}
		case e.Type().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("reading %s: %w", path, err)
			}
			if h, err = writeObject(gitDir, "blob", data); err != nil {
				return "", err
			}
			mode = "100644"
			if info, err := e.Info(); err == nil && info.Mode()&0o111 != 0 {
				mode = "100755"
			}
		default:
			continue
		}
		raw, _ := hex.DecodeString(h)
		key := e.Name()
		if e.IsDir() {
			key += "/" // git sorts a tree as if its name ended in a slash
		}
		items = append(items, item{mode: mode, name: e.Name(), sortKey: key, hash: raw})
	}
	if len(items) == 0 && dir != filepath.Dir(gitDir) {
		return "", nil
	}
	sort.Slice(items, func(i, j int) bool { return items[i].sortKey < items[j].sortKey })
	var b bytes.Buffer
	for _, it := range items {
		fmt.Fprintf(&b, "%s %s\x00", it.mode, it.name)
		b.Write(it.hash)
	}
	return writeObject(gitDir, "tree", b.Bytes())
}

// writeObject stores a loose object and returns its hash.
func writeObject(gitDir, kind string, data []byte) (string, error) {
	header := fmt.Sprintf("%s %d\x00", kind, len(data))
	sum := sha1.New()
	sum.Write([]byte(header))
	sum.Write(data)
	h := hex.EncodeToString(sum.Sum(nil))
	path := filepath.Join(gitDir, "objects", h[:2], h[2:])
	if _, err := os.Stat(path); err == nil {
		return h, nil
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write([]byte(header))
	w.Write(data)
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("compressing a git object: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("writing a git object: %w", err)
	}
	if err := os.WriteFile(path, z.Bytes(), 0o444); err != nil {
		return "", fmt.Errorf("writing a git object: %w", err)
	}
	return h, nil
}
