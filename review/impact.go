package review

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vexil-dev/vexil/statements"
)

// Impact is one status change a review finds: the effective status of a
// vulnerability (and subcomponent) for a release of a product, or for the
// releases a product selection names when the releases are not known
// (offline).
//
// Before and After are the effective status at the merge base and in the
// working tree: "" when no statement applies (a new statement, or one
// deleted), and several statuses joined by "|" when statements conflict
// (a conflict finding reports that). The command renders it through
// internal/report's StatusChange, a conversion of this type:
// `proxy enterprise-2.19.5: CVE-2023-44487 under_investigation → not_affected`.
//
// A row is keyed by its subcomponent ("" for the whole image), as scanners
// apply statements: a statement that gains or loses subcomponents gives one
// row for the scope it left and one for the scope it took. The two rows
// are kept apart on purpose: merged into one, "not_affected → not_affected"
// would read as no change, while findings of the vulnerability in other
// packages are no longer (or newly) covered. They sort next to each other.
type Impact struct {
	Product string `json:"product"`
	// Release is the release's tag when the releases are known
	// (CheckOptions.Inventory set); empty otherwise.
	Release string `json:"release,omitempty"`
	// Tags is the selection the statements make when the releases are not
	// known: nil means every release of the product.
	Tags          []string          `json:"tags,omitempty"`
	Vulnerability string            `json:"vulnerability"`
	Subcomponent  string            `json:"subcomponent,omitempty"`
	Before        statements.Status `json:"before,omitempty"`
	After         statements.Status `json:"after,omitempty"`
}

// impactKey is what a status is effective for: a product (all its
// releases), a vulnerability and a subcomponent ("" for the whole image).
type impactKey struct{ product, vuln, sub string }

// row is one line of the impact: a key at one release or tag selection.
type row struct {
	impactKey
	release string
	tags    string // the sorted tag globs joined by "\x00"
}

// impact computes the status changes from the merge base to the working
// tree of every product, vulnerability and subcomponent a changed file
// speaks of, per release when opts.Check.Inventory knows the releases.
func (r *reviewer) impact(ctx context.Context) ([]Impact, error) {
	touched := make(map[string]bool)
	var oldView, curView []statements.Statement
	for _, f := range r.files {
		touched[f.oldPath] = true
		touched[f.path] = true
		oldView = append(oldView, f.old...)
		curView = append(curView, f.cur...)
	}
	oldView, curView = resolved(r.cfg, oldView), resolved(r.cfg, curView)
	keys := make(map[impactKey]bool)
	for _, s := range slices.Concat(oldView, curView) {
		forKeys(&s, func(k impactKey, _ statements.ProductSelector) {
			if _, ok := r.cfg.Products[k.product]; ok { // else product-unknown says it
				keys[k] = true
			}
		})
	}
	if len(keys) == 0 {
		return nil, nil
	}
	// Unchanged statements about the same keys count on both sides.
	var same []statements.Statement
	for i := range r.head {
		if !touched[r.head[i].File] {
			same = append(same, r.head[i])
		}
	}
	same = resolved(r.cfg, slices.DeleteFunc(same, func(s statements.Statement) bool {
		hit := false
		for _, p := range s.Products {
			for _, sub := range subcomponentsOf(&s) {
				hit = hit || keys[impactKey{cmp.Or(p.Name, p.Ref), s.Vulnerability, sub}]
			}
		}
		return !hit && !needsResolve(&s)
	}))
	oldView, curView = append(oldView, same...), append(curView, same...)

	releases, err := r.releases(ctx, keys)
	if err != nil {
		return nil, err
	}
	before := make(map[row][]statements.Status)
	after := make(map[row][]statements.Status)
	tally := func(view []statements.Statement, into map[row][]statements.Status) {
		for i := range view {
			s := &view[i]
			forKeys(s, func(k impactKey, sel statements.ProductSelector) {
				if !keys[k] {
					return
				}
				if rels, ok := releases[k.product]; ok {
					for _, tag := range rels {
						if sel.Selects(tag) {
							rw := row{impactKey: k, release: tag}
							into[rw] = append(into[rw], s.Status)
						}
					}
					return
				}
				tags := slices.Clone(sel.Tags)
				slices.Sort(tags)
				rw := row{impactKey: k, tags: strings.Join(slices.Compact(tags), "\x00")}
				into[rw] = append(into[rw], s.Status)
			})
		}
	}
	tally(oldView, before)
	tally(curView, after)
	rows := make(map[row]bool)
	for rw := range before {
		rows[rw] = true
	}
	for rw := range after {
		rows[rw] = true
	}
	var out []Impact
	for rw := range rows {
		b, a := effective(before[rw]), effective(after[rw])
		if a == b {
			continue
		}
		imp := Impact{Product: rw.product, Release: rw.release, Vulnerability: rw.vuln, Subcomponent: rw.sub, Before: b, After: a}
		if rw.tags != "" {
			imp.Tags = strings.Split(rw.tags, "\x00")
		}
		out = append(out, imp)
	}
	slices.SortFunc(out, func(x, y Impact) int {
		return cmp.Or(
			strings.Compare(x.Product, y.Product),
			compareTags(x.Release, y.Release),
			slices.Compare(x.Tags, y.Tags),
			strings.Compare(x.Vulnerability, y.Vulnerability),
			strings.Compare(x.Subcomponent, y.Subcomponent),
		)
	})
	return out, nil
}

// compareTags orders release tags as people read versions: digit runs by
// value, so enterprise-2.19.10 comes after enterprise-2.19.9.
func compareTags(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na := strings.TrimLeft(a[:da], "0")
			nb := strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func needsResolve(s *statements.Statement) bool {
	for _, p := range s.Products {
		if p.Name == "" && p.Ref != "" {
			return true
		}
	}
	return false
}

// forKeys calls fn for each product (resolved) and subcomponent of s.
func forKeys(s *statements.Statement, fn func(impactKey, statements.ProductSelector)) {
	for _, sel := range s.Products {
		if sel.Name == "" {
			continue
		}
		for _, sub := range subcomponentsOf(s) {
			fn(impactKey{sel.Name, s.Vulnerability, sub}, sel)
		}
	}
}

func subcomponentsOf(s *statements.Statement) []string {
	if len(s.Subcomponents) == 0 {
		return []string{""}
	}
	return s.Subcomponents
}

// effective is the status several statements give together: the one they
// agree on, or their distinct statuses joined by "|" (a conflict).
func effective(statuses []statements.Status) statements.Status {
	s := slices.Clone(statuses)
	slices.Sort(s)
	s = slices.Compact(s)
	parts := make([]string, len(s))
	for i, st := range s {
		parts[i] = string(st)
	}
	return statements.Status(strings.Join(parts, "|"))
}

// releases asks opts.Check.Inventory for the release tags of the products
// of keys; nil without an inventory. A product the registry does not know,
// or one without releases, is left out: its impact is shown per product.
func (r *reviewer) releases(ctx context.Context, keys map[impactKey]bool) (map[string][]string, error) {
	inv := r.opts.Check.Inventory
	if inv == nil {
		return nil, nil
	}
	var names []string
	for k := range keys {
		_, defined := r.cfg.Products[k.product]
		if _, known := r.known[k.product]; defined && !known {
			names = append(names, k.product)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) > 0 {
		queries := make([]statements.ReleaseQuery, len(names))
		for i, n := range names {
			p := r.cfg.Products[n]
			queries[i] = statements.ReleaseQuery{Product: n, Repository: p.Repository, Tags: slices.Clone(p.Tags)}
		}
		answers, err := inv.Releases(ctx, queries)
		if err != nil {
			return nil, fmt.Errorf("listing releases for the impact: %w", err)
		}
		if len(answers) != len(queries) {
			return nil, fmt.Errorf("listing releases for the impact: inventory answered %d of %d products", len(answers), len(queries))
		}
		for i, a := range answers {
			r.known[names[i]] = a
		}
	}
	out := make(map[string][]string)
	for k := range keys {
		a, ok := r.known[k.product]
		if !ok || a.Missing || len(a.Releases) == 0 {
			continue
		}
		tags := make([]string, len(a.Releases))
		for j, rel := range a.Releases {
			tags[j] = rel.Tag
		}
		out[k.product] = tags
	}
	return out, nil
}

// recorder is an Inventory that keeps what another answers, by product.
type recorder struct {
	inv   statements.Inventory
	known map[string]statements.ProductReleases
}

var _ statements.Inventory = (*recorder)(nil)

// Releases asks the inventory and records its answers.
func (rc *recorder) Releases(ctx context.Context, queries []statements.ReleaseQuery) ([]statements.ProductReleases, error) {
	answers, err := rc.inv.Releases(ctx, queries)
	if err == nil && len(answers) == len(queries) {
		for i, q := range queries {
			rc.known[q.Product] = answers[i]
		}
	}
	return answers, err
}
