package statements

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// StatementsDir is the directory, under the repository root, that holds
// the statement files.
const StatementsDir = "statements"

// LoadStatements decodes the statement files named by paths (files or
// directories, relative to root or absolute, never outside root), or every
// statement file under root/statements when paths is empty. Files that
// cannot be decoded give findings (at most MaxFindingsPerFile per file,
// see LimitFindings); err is only for I/O failures that stop
// the whole load.
//
// Symbolic links are followed only to files inside root; directories are
// walked, whatever their name; files larger than MaxFileSize are never
// read whole. Products of OpenVEX documents come back as references
// (ProductSelector.Ref, empty Name): ResolveProducts maps them to products
// of vexil.yaml; Check does so on its own copies.
func LoadStatements(root string, paths []string) ([]Statement, []Finding, error) {
	l, err := newLoader(root)
	if err != nil {
		return nil, nil, err
	}
	if len(paths) == 0 {
		dir := filepath.Join(l.root, StatementsDir)
		if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, nil
		}
		paths = []string{dir}
	}
	for _, p := range paths {
		if err := l.add(p); err != nil {
			return nil, nil, err
		}
	}
	stmts, findings, err := l.decodeAll()
	if err != nil {
		return nil, nil, err
	}
	SortFindings(findings)
	return stmts, LimitFindings(findings, MaxFindingsPerFile), nil
}

// loader collects the statement files to read.
type loader struct {
	root     string            // absolute
	realRoot string            // root with symbolic links resolved
	files    map[string]string // relative slash path -> absolute path to read
	findings []Finding
}

func newLoader(root string) (*loader, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("loading statements from %s: %w", root, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("loading statements from %s: %w", root, err)
	}
	return &loader{root: abs, realRoot: real, files: map[string]string{}}, nil
}

func (l *loader) report(file string, rule string, sev Severity, format string, args ...any) {
	l.findings = append(l.findings, newFinding(file, Position{}, rule, sev, format, args...))
}

// rel returns the slash path of abs relative to the root, or false when
// abs is outside it.
func (l *loader) rel(abs string) (string, bool) {
	r, err := filepath.Rel(l.root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(r), true
}

// add adds a path given by the user: a file is read whatever its name, a
// directory is walked for statement files.
func (l *loader) add(p string) error {
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(l.root, p)
	}
	abs = filepath.Clean(abs)
	rel, ok := l.rel(abs)
	if !ok {
		l.report(filepath.ToSlash(p), RulePathOutside, SeverityError, "%s is outside the repository %s; it is not read", p, l.root)
		return nil
	}
	fi, err := os.Lstat(abs)
	if err != nil {
		return fmt.Errorf("loading statements from %s: %w", p, err)
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return l.symlink(abs, rel, true)
	case fi.IsDir():
		return l.walk(abs)
	default:
		l.file(abs, rel, fi.Mode())
		return nil
	}
}

func (l *loader) walk(dir string) error {
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walking %s: %w", p, err)
		}
		if d.IsDir() {
			return nil
		}
		rel, ok := l.rel(p)
		if !ok {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return l.symlink(p, rel, false)
		}
		if IsStatementFile(d.Name()) {
			l.file(p, rel, d.Type())
		}
		return nil
	})
	return err
}

// symlink follows a symbolic link only when it ends at a file inside the
// repository; explicit says the user named it, so its name does not matter.
func (l *loader) symlink(abs, rel string, explicit bool) error {
	if !explicit && !IsStatementFile(filepath.Base(abs)) {
		// Could be a link to a directory; say so rather than skip silently.
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return nil
		}
	}
	target, err := filepath.EvalSymlinks(abs)
	if err != nil {
		l.report(rel, RuleSymlinkOutside, SeverityError, "symbolic link cannot be resolved; it is not followed")
		return nil
	}
	inside, err := filepath.Rel(l.realRoot, target)
	if err != nil || inside == ".." || strings.HasPrefix(inside, ".."+string(filepath.Separator)) {
		l.report(rel, RuleSymlinkOutside, SeverityError, "symbolic link points outside the repository; it is not followed")
		return nil
	}
	fi, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("loading statements from %s: %w", rel, err)
	}
	if fi.IsDir() {
		l.report(rel, RuleSymlinkDirectory, SeverityWarning, "symbolic link to a directory is not followed; name the directory itself")
		return nil
	}
	l.file(target, rel, fi.Mode())
	return nil
}

func (l *loader) file(abs, rel string, mode fs.FileMode) {
	if !mode.IsRegular() {
		l.report(rel, RuleBinaryFile, SeverityError, "not a regular file; it is not read")
		return
	}
	l.files[rel] = abs
}

// decodeAll reads and decodes the collected files, in parallel, and
// returns statements in file order.
func (l *loader) decodeAll() ([]Statement, []Finding, error) {
	rels := make([]string, 0, len(l.files))
	for rel := range l.files {
		rels = append(rels, rel)
	}
	slices.Sort(rels)
	type result struct {
		stmts    []Statement
		findings []Finding
		err      error
	}
	results := make([]result, len(rels))
	workers := min(runtime.GOMAXPROCS(0), len(rels))
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				rel := rels[i]
				data, tooLarge, err := readCapped(l.files[rel])
				switch {
				case err != nil:
					results[i].err = fmt.Errorf("reading %s: %w", rel, err)
				case tooLarge:
					results[i].findings = []Finding{newFinding(rel, Position{}, RuleFileTooLarge, SeverityError,
						"the file is larger than %d bytes; it is not read", MaxFileSize)}
				default:
					results[i].stmts, results[i].findings = Decode(rel, data)
				}
			}
		})
	}
	for i := range rels {
		next <- i
	}
	close(next)
	wg.Wait()
	var stmts []Statement
	findings := l.findings
	var errs []error
	for _, r := range results {
		stmts = append(stmts, r.stmts...)
		findings = append(findings, r.findings...)
		if r.err != nil {
			errs = append(errs, r.err)
		}
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return stmts, findings, nil
}
