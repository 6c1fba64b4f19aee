package review

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vexil-dev/vexil/statements"
)

// reviewer holds one review: every statement of the working tree, and the
// changed files with their statements on both sides.
type reviewer struct {
	cfg  *statements.Config
	opts Options
	head []statements.Statement // every statement of the working tree, in file order

	files  []*side
	byFile map[string][]int // working tree file -> indices into head

	// known holds the releases the inventory told Check, by product, so
	// that the impact need not ask again.
	known map[string]statements.ProductReleases
}

// side is a changed file with its statements at the merge base (old) and
// in the working tree (cur).
type side struct {
	*file
	old, cur []statements.Statement
}

// index decodes the merge base side of each changed file and finds the
// working tree side among the loaded statements.
func (r *reviewer) index(files []*file) {
	r.byFile = make(map[string][]int)
	for i := range r.head {
		r.byFile[r.head[i].File] = append(r.byFile[r.head[i].File], i)
	}
	for _, f := range files {
		s := &side{file: f}
		if f.oldPath != "" {
			s.old = decodeOld(f.oldPath, f.old)
		}
		if f.path != "" {
			for _, i := range r.byFile[f.path] {
				s.cur = append(s.cur, r.head[i])
			}
		}
		r.files = append(r.files, s)
	}
}

// pair joins a deleted file with an added one into a rename: first those
// with identical content (in path order), then those about the same
// vulnerability (a file moved and edited).
func (r *reviewer) pair() {
	match := func(same func(del, add *side) bool) {
		for _, del := range r.files {
			if del.path != "" || del.oldPath == "" {
				continue
			}
			for _, add := range r.files {
				if add.oldPath != "" || add.path == "" || !same(del, add) {
					continue
				}
				add.oldPath, add.file.old, add.old = del.oldPath, del.file.old, del.old
				del.oldPath = "" // absorbed; dropped below
				break
			}
		}
		r.files = slices.DeleteFunc(r.files, func(s *side) bool { return s.oldPath == "" && s.path == "" })
	}
	match(func(del, add *side) bool {
		// cur is nil for a file too large to keep: never a match.
		return add.file.cur != nil && bytes.Equal(del.file.old, add.file.cur)
	})
	match(func(del, add *side) bool {
		for _, v := range vulnerabilities(del.old) {
			if slices.Contains(vulnerabilities(add.cur), v) {
				return true
			}
		}
		return false
	})
	slices.SortFunc(r.files, func(a, b *side) int {
		return strings.Compare(cmp.Or(a.path, a.oldPath), cmp.Or(b.path, b.oldPath))
	})
}

func vulnerabilities(stmts []statements.Statement) []string {
	var v []string
	for i := range stmts {
		v = append(v, stmts[i].Vulnerability)
	}
	return v
}

// inScope reports whether a file (relative to the root) is at or below
// one of opts.Paths.
func (r *reviewer) inScope(p string) bool {
	if len(r.opts.Paths) == 0 {
		return true
	}
	for _, q := range r.opts.Paths {
		if !filepath.IsAbs(q) {
			q = filepath.Join(r.cfg.Root, q)
		}
		rel, err := filepath.Rel(r.cfg.Root, q)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		if rel == "." || p == rel || strings.HasPrefix(p, rel+"/") {
			return true
		}
	}
	return false
}

// findings checks the statements of changed files, with every statement
// they could conflict with, and keeps the findings of changed files, the
// conflicts and duplicates the change introduces in unchanged files, and
// the history rules. It returns them sorted, with how many statements of
// changed files there are.
func (r *reviewer) findings(ctx context.Context, configChanged bool, loaded []statements.Finding) ([]statements.Finding, int, error) {
	changed := make(map[string]bool) // working tree files that changed
	touched := make(map[string]bool) // any path a change touches
	for _, f := range r.files {
		if f.path != "" {
			changed[f.path] = true
			touched[f.path] = true
		}
		touched[f.oldPath] = true
	}
	if configChanged {
		for p := range r.byFile {
			changed[p] = true
		}
	}
	report := func(file string) bool { return changed[file] && r.inScope(file) }

	// Statements that could conflict with a changed one: those about the
	// same vulnerability, aliases included.
	groups := newAliasGroups()
	for i := range r.head {
		groups.add(&r.head[i])
	}
	for _, f := range r.files {
		for i := range f.old {
			groups.add(&f.old[i])
		}
	}
	related := make(map[string]bool)
	for _, f := range r.files {
		for _, s := range slices.Concat(f.old, f.cur) {
			related[groups.find(s.Vulnerability)] = true
		}
	}
	var curSet, oldSet []statements.Statement
	for i := range r.head {
		s := &r.head[i]
		if !configChanged && !related[groups.find(s.Vulnerability)] {
			continue
		}
		curSet = append(curSet, *s)
		if !touched[s.File] {
			oldSet = append(oldSet, *s)
		}
	}
	for _, f := range r.files {
		oldSet = append(oldSet, f.old...)
	}
	slices.SortStableFunc(oldSet, func(a, b statements.Statement) int {
		return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Index, b.Index))
	})

	checkOpts := r.opts.Check
	if checkOpts.Inventory != nil {
		checkOpts.Inventory = &recorder{inv: checkOpts.Inventory, known: r.known}
	}
	cur, err := statements.Check(ctx, r.cfg, curSet, checkOpts)
	if err != nil {
		return nil, 0, err
	}
	before := make(map[statements.Finding]bool)
	if !configChanged {
		old, err := statements.Check(ctx, r.cfg, oldSet, statements.CheckOptions{})
		if err != nil {
			return nil, 0, err
		}
		for _, f := range old {
			before[f] = true
		}
	}
	configFile := statements.ConfigFileName
	if r.cfg.File != "" {
		configFile = filepath.Base(r.cfg.File)
	}
	var out []statements.Finding
	for _, f := range loaded {
		if report(f.File) {
			out = append(out, f)
		}
	}
	for _, f := range cur {
		switch {
		case report(f.File), f.File == configFile:
			out = append(out, f)
		case introduced(f.Rule) && !touched[f.File] && r.inScope(f.File) && !before[f]:
			out = append(out, f)
		}
	}
	out = append(out, r.history()...)
	out = slices.DeleteFunc(out, func(f statements.Finding) bool {
		return (f.Rule == RuleStatementDeleted || f.Rule == RuleStatementIdentityChanged) && !r.inScope(f.File)
	})
	statements.SortFindings(out)
	n := 0
	for p := range changed {
		if r.inScope(p) {
			n += len(r.byFile[p])
		}
	}
	return out, n, nil
}

// introduced reports whether a rule looks at several statements, so that a
// change elsewhere can raise it in an unchanged file.
func introduced(rule string) bool {
	return rule == statements.RuleConflict || rule == statements.RuleDuplicateStatement
}

// history reports deleted statement files and files rewritten to speak of
// another vulnerability or other products.
func (r *reviewer) history() []statements.Finding {
	var out []statements.Finding
	for _, f := range r.files {
		switch {
		case len(f.old) == 0:
			// Added, or broken at the merge base: nothing was published.
		case f.path == "":
			out = append(out, statements.Finding{
				File: f.oldPath, Line: 1, Column: 1,
				Rule: RuleStatementDeleted, Severity: statements.SeverityError,
				Message: fmt.Sprintf("this file was deleted since %s, with its statement %s; a published statement must stay: "+
					"to retract it, restore the file and change its status in a new commit", r.opts.Base, describe(f.old)),
			})
		case len(f.cur) == 0:
			// Broken in the working tree: its findings say why.
		default:
			if fd, ok := r.identityChanged(f); ok {
				out = append(out, fd)
			}
		}
	}
	return out
}

// identityChanged compares what a file's statements are about at the merge
// base and in the working tree.
func (r *reviewer) identityChanged(f *side) (statements.Finding, bool) {
	old, cur := resolved(r.cfg, f.old), resolved(r.cfg, f.cur)
	oldVulns, curVulns := sortedSet(old, vulnerability), sortedSet(cur, vulnerability)
	oldProds, curProds := sortedSet(old, products), sortedSet(cur, products)
	moved := ""
	if f.oldPath != f.path {
		moved = fmt.Sprintf(" (it was %s)", f.oldPath)
	}
	s := &f.cur[0]
	var at statements.Position
	var what string
	switch {
	case !slices.Equal(oldVulns, curVulns):
		at = s.At("vulnerability")
		what = fmt.Sprintf("the vulnerability changed from %s to %s", strings.Join(oldVulns, ", "), strings.Join(curVulns, ", "))
	case !slices.Equal(oldProds, curProds):
		at = s.At("products")
		what = fmt.Sprintf("the products changed from [%s] to [%s]", strings.Join(oldProds, ", "), strings.Join(curProds, ", "))
	default:
		return statements.Finding{}, false
	}
	return statements.Finding{
		File: f.path, Line: max(at.Line, 1), Column: max(at.Column, 1),
		Rule: RuleStatementIdentityChanged, Severity: statements.SeverityError,
		Message: fmt.Sprintf("%s since %s%s; a published statement must keep what it is about: "+
			"restore it (to retract it, change its status) and add a new file for the new statement", what, r.opts.Base, moved),
	}, true
}

func vulnerability(s *statements.Statement) []string { return []string{s.Vulnerability} }

// products renders each product selector: name, and tags in brackets.
func products(s *statements.Statement) []string {
	var out []string
	for _, p := range s.Products {
		out = append(out, selectorString(p))
	}
	return out
}

func selectorString(p statements.ProductSelector) string {
	name := cmp.Or(p.Name, p.Ref)
	if len(p.Tags) == 0 {
		return name
	}
	tags := slices.Clone(p.Tags)
	slices.Sort(tags)
	return name + " (tags " + strings.Join(tags, ", ") + ")"
}

// sortedSet gathers the values fn gives for each statement, sorted and
// without repeats.
func sortedSet(stmts []statements.Statement, fn func(*statements.Statement) []string) []string {
	var out []string
	for i := range stmts {
		out = append(out, fn(&stmts[i])...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// describe names the statements of a file for a message: "about CVE-1 for
// proxy".
func describe(stmts []statements.Statement) string {
	var parts []string
	for i := range stmts {
		parts = append(parts, fmt.Sprintf("about %s for %s", stmts[i].Vulnerability, strings.Join(products(&stmts[i]), ", ")))
	}
	slices.Sort(parts)
	return strings.Join(slices.Compact(parts), "; ")
}

// resolved returns copies of stmts whose OpenVEX product references are
// mapped to products of cfg.
func resolved(cfg *statements.Config, stmts []statements.Statement) []statements.Statement {
	out := slices.Clone(stmts)
	for i := range out {
		out[i].Products = slices.Clone(out[i].Products)
	}
	statements.ResolveProducts(cfg, out)
	return out
}

// aliasGroups links vulnerability ids through aliases (union-find), as
// scanners and the conflict rule see them.
type aliasGroups map[string]string

func newAliasGroups() aliasGroups { return make(aliasGroups) }

func (g aliasGroups) find(id string) string {
	for {
		p, ok := g[id]
		if !ok || p == id {
			return id
		}
		if pp := g[p]; pp != p && pp != "" {
			g[id] = pp // path halving
		}
		id = p
	}
}

func (g aliasGroups) add(s *statements.Statement) {
	a := g.find(s.Vulnerability)
	for _, alias := range s.Aliases {
		if b := g.find(alias); a != b {
			g[b] = a
		}
	}
}

// decodeOld decodes a file as it was at the merge base, as the loader
// would have read it then: a file larger than statements.MaxFileSize has
// no statements.
func decodeOld(p string, data []byte) []statements.Statement {
	if len(data) > statements.MaxFileSize {
		return nil
	}
	stmts, _ := statements.Decode(p, data)
	return stmts
}
