package statements

import (
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Inventory is what the online rules need to know of the registries: the
// releases of products, their platforms and the SBOMs of each. cmd/vexil
// adapts internal/inventory to it; tests use a table.
type Inventory interface {
	// Releases returns, for each query in order, the product's releases
	// sorted by tag. SBOMs are read only for queries that ask for them.
	// An error means a registry failed (unreachable, a release that does
	// not resolve): the check must not pass.
	Releases(ctx context.Context, queries []ReleaseQuery) ([]ProductReleases, error)
}

// ReleaseQuery asks for the releases of one product of vexil.yaml.
type ReleaseQuery struct {
	Product    string
	Repository string
	Tags       []string
	// SBOMs asks for the SBOMs of every platform of every release.
	SBOMs bool
	// SBOMTags, when not empty, narrows SBOMs to the releases whose tag
	// matches one of these globs (path.Match); the inventory marks the
	// others SBOMsSkipped.
	SBOMTags []string
}

// ProductReleases are the releases of one product.
type ProductReleases struct {
	// Missing says the registry has no such repository.
	Missing  bool
	Releases []Release
}

// Release is one release of a product: a tag and its platforms.
type Release struct {
	Tag       string
	Digest    string
	Platforms []ReleasePlatform
	// SBOMsSkipped says the query's SBOMTags left this release out: its
	// platforms have no SBOMs because none were read.
	SBOMsSkipped bool
}

// ReleasePlatform is one platform manifest of a release and its SBOMs.
type ReleasePlatform struct {
	// Platform is "os/architecture[/variant]".
	Platform string
	Digest   string
	// SBOMs are the SBOMs attached to the platform; empty when it has none.
	SBOMs []ReleaseSBOM
}

// ReleaseSBOM is one SBOM of a platform.
type ReleaseSBOM struct {
	// Source names the SBOM in messages: its format, where it was found
	// and its digest.
	Source string
	// Purls answers lookups; nil when the SBOM could not be read.
	Purls PurlSet
	// Problem says why the SBOM could not be read; Unsupported says it is
	// in a format vexil does not read (rather than broken).
	Problem     string
	Unsupported bool
}

// PurlSet is the set of package URLs an SBOM lists.
type PurlSet interface {
	// Contains reports whether the set has a package purl designates: a
	// version-less purl matches any version, and qualifiers match as in
	// go-vex's PurlMatches.
	Contains(purl string) (bool, error)
	// Candidates returns the set's purls with the same type, namespace
	// and name as purl, whatever their version.
	Candidates(purl string) ([]string, error)
}

// maxListed bounds the releases a finding lists before "and N more".
const maxListed = 5

// online runs the rules that ask the registries: tag globs that match no
// release, releases without an SBOM or with an SBOM that cannot be read,
// and subcomponents missing from the SBOM of a release they are said to be
// in.
func (c *checker) online(ctx context.Context, stmts []Statement) error {
	if c.inv == nil {
		return nil
	}
	names := make([]string, 0, len(c.cfg.Products))
	for n := range c.cfg.Products {
		names = append(names, n)
	}
	slices.Sort(names)
	// SBOMs are read for the products that statements with subcomponents
	// name, and only for the releases those statements select: every
	// release if one selects the product without tag globs, else those
	// that one of their globs matches.
	needSBOMs := map[string]bool{}
	allReleases := map[string]bool{}
	sbomTags := map[string][]string{}
	for i := range stmts {
		if len(stmts[i].Subcomponents) == 0 {
			continue
		}
		for _, sel := range stmts[i].Products {
			needSBOMs[sel.Name] = true
			if len(sel.Tags) == 0 {
				allReleases[sel.Name] = true
			}
			sbomTags[sel.Name] = append(sbomTags[sel.Name], sel.Tags...)
		}
	}
	queries := make([]ReleaseQuery, len(names))
	for i, n := range names {
		p := c.cfg.Products[n]
		queries[i] = ReleaseQuery{Product: n, Repository: p.Repository, Tags: slices.Clone(p.Tags), SBOMs: needSBOMs[n]}
		if needSBOMs[n] && !allReleases[n] {
			tags := sbomTags[n]
			slices.Sort(tags)
			queries[i].SBOMTags = slices.Compact(tags)
		}
	}
	answers, err := c.inv.Releases(ctx, queries)
	if err != nil {
		return err
	}
	if len(answers) != len(queries) {
		return fmt.Errorf("inventory answered %d of %d products", len(answers), len(queries))
	}
	releases := make(map[string]ProductReleases, len(names))
	for i, n := range names {
		releases[n] = answers[i]
		c.productReleases(n, answers[i], queries[i].SBOMs)
	}
	for i := range stmts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		c.statementReleases(&stmts[i], releases)
	}
	return nil
}

// configFile is the name findings about vexil.yaml carry.
func (c *checker) configFile() string {
	if c.cfg.File == "" {
		return ConfigFileName
	}
	return filepath.Base(c.cfg.File)
}

func (c *checker) configFinding(p Position, rule string, sev Severity, format string, args ...any) {
	c.findings = append(c.findings, newFinding(c.configFile(), p, rule, sev, format, args...))
}

// productReleases reports, at the product in vexil.yaml, its tag globs
// that match no release and, when its SBOMs were read (some statement has
// subcomponents), each platform without a readable SBOM among the releases
// whose SBOMs were read.
func (c *checker) productReleases(name string, pr ProductReleases, sboms bool) {
	p := c.cfg.Products[name]
	if pr.Missing {
		c.configFinding(p.Pos, RuleTagsMatchNothing, SeverityError,
			"product %s: the registry has no repository %s", name, p.Repository)
		return
	}
	for i, glob := range p.Tags {
		if checkGlob(glob) != nil || matchesAny(glob, pr.Releases) {
			continue
		}
		at := nth(p.TagsPos, i, p.Pos)
		c.configFinding(at, RuleTagsMatchNothing, SeverityError,
			"product %s: tag glob %q matches no tag of %s", name, glob, p.Repository)
	}
	for _, rel := range pr.Releases {
		for _, pl := range rel.Platforms {
			if len(pl.SBOMs) == 0 && sboms && !rel.SBOMsSkipped {
				c.configFinding(p.Pos, RuleReleaseWithoutSBOM, SeverityWarning,
					"product %s: release %s %s (%s) has no SBOM; its subcomponents cannot be checked", name, rel.Tag, pl.Platform, pl.Digest)
			}
			for _, s := range pl.SBOMs {
				switch {
				case s.Purls != nil:
				case s.Unsupported:
					c.configFinding(p.Pos, RuleSBOMUnsupported, SeverityWarning,
						"product %s: release %s %s: the SBOM %s is in a format vexil cannot read: %s", name, rel.Tag, pl.Platform, s.Source, s.Problem)
				default:
					c.configFinding(p.Pos, RuleSBOMUnreadable, SeverityError,
						"product %s: release %s %s: the SBOM %s cannot be read: %s", name, rel.Tag, pl.Platform, s.Source, s.Problem)
				}
			}
		}
	}
}

func matchesAny(glob string, rels []Release) bool {
	for _, r := range rels {
		if ok, _ := path.Match(glob, r.Tag); ok {
			return true
		}
	}
	return false
}

// selected returns the releases a selector targets: all of the product's,
// or those whose tag matches one of its globs.
func selected(sel *ProductSelector, rels []Release) []Release {
	if len(sel.Tags) == 0 {
		return rels
	}
	var out []Release
	for _, r := range rels {
		if sel.Selects(r.Tag) {
			out = append(out, r)
		}
	}
	return out
}

// miss is one platform of a release whose SBOMs lack a subcomponent.
type miss struct {
	release  string
	platform string
	source   string
}

// statementReleases reports the statement's tag globs that match no
// release and its subcomponents missing from the SBOM of a platform it
// targets, one finding per subcomponent and product.
func (c *checker) statementReleases(s *Statement, releases map[string]ProductReleases) {
	for _, sel := range s.Products {
		pr, ok := releases[sel.Name]
		if !ok || pr.Missing || len(pr.Releases) == 0 {
			continue // unknown product, or reported at vexil.yaml
		}
		for i, glob := range sel.Tags {
			if checkGlob(glob) != nil || matchesAny(glob, pr.Releases) {
				continue
			}
			at := nth(sel.TagsPos, i, sel.Pos)
			c.errorf(s, at, RuleTagsMatchNothing, "tag glob %q matches no release of product %s (releases: %s)",
				glob, sel.Name, tagList(pr.Releases))
		}
		rels := selected(&sel, pr.Releases)
		for i, sub := range s.Subcomponents {
			if PurlProblem(sub) != "" {
				continue // reported by purl-syntax
			}
			at := nth(s.SubcomponentPos, i, s.At("subcomponents"))
			c.subcomponent(s, at, sel.Name, sub, rels)
		}
	}
}

// subcomponent reports sub if it is missing from the SBOM of any platform
// of rels that has a readable SBOM.
func (c *checker) subcomponent(s *Statement, at Position, product, sub string, rels []Release) {
	var misses []miss
	checked := 0
	var candidates []string
	for _, rel := range rels {
		for _, pl := range rel.Platforms {
			found, readable := false, false
			var source string
			for _, sb := range pl.SBOMs {
				if sb.Purls == nil {
					continue
				}
				if !readable {
					source = sb.Source
				}
				readable = true
				ok, err := sb.Purls.Contains(sub)
				if err != nil {
					return // an invalid purl: purl-syntax says why
				}
				if ok {
					found = true
					break
				}
			}
			if !readable {
				continue // release-without-sbom, sbom-unsupported or sbom-unreadable says why
			}
			checked++
			if found {
				continue
			}
			misses = append(misses, miss{release: rel.Tag, platform: pl.Platform, source: source})
			for _, sb := range pl.SBOMs {
				if sb.Purls == nil {
					continue
				}
				if cands, err := sb.Purls.Candidates(sub); err == nil {
					candidates = append(candidates, cands...)
				}
			}
		}
	}
	if len(misses) == 0 {
		return
	}
	var b strings.Builder
	if len(misses) == 1 {
		m := misses[0]
		fmt.Fprintf(&b, "%s is not in the SBOM of product %s release %s %s (%s)", sub, product, m.release, m.platform, m.source)
	} else {
		fmt.Fprintf(&b, "%s is not in the SBOMs of %d of the %d release platforms of product %s that have one: ", sub, len(misses), checked, product)
		for i, m := range misses[:min(len(misses), maxListed)] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s %s (%s)", m.release, m.platform, m.source)
		}
		if n := len(misses) - maxListed; n > 0 {
			fmt.Fprintf(&b, " and %d more", n)
		}
	}
	slices.Sort(candidates)
	candidates = slices.Compact(candidates)
	if len(candidates) > 0 {
		shown := candidates[:min(len(candidates), 3)]
		fmt.Fprintf(&b, "; they list %s", strings.Join(shown, ", "))
		if n := len(candidates) - len(shown); n > 0 {
			fmt.Fprintf(&b, " and %d more", n)
		}
	}
	c.errorf(s, at, RuleSubcomponentNotInSBOM, "%s", b.String())
}

// tagList renders the tags of rels for a message, bounded.
func tagList(rels []Release) string {
	tags := make([]string, 0, min(len(rels), maxListed))
	for _, r := range rels[:min(len(rels), maxListed)] {
		tags = append(tags, r.Tag)
	}
	s := strings.Join(tags, ", ")
	if n := len(rels) - maxListed; n > 0 {
		s += fmt.Sprintf(" and %d more", n)
	}
	return s
}
