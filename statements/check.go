package statements

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"
)

// CheckOptions selects which rules Check runs. The zero value runs every
// offline rule. Online rules (against the SBOMs of releases) come with a
// source of SBOMs here; when it is nil they are skipped.
type CheckOptions struct {
	// Inventory answers the online rules (tags-match-nothing,
	// release-without-sbom, subcomponent-not-in-sbom, ...); nil skips them.
	Inventory Inventory
}

// checker holds the state of one Check run. A per-statement rule looks at
// one statement; a set rule at all of them (conflicts, duplicates, and the
// online rules that ask registries, which need ctx).
type checker struct {
	cfg      *Config
	inv      Inventory
	findings []Finding
}

type (
	statementRule func(c *checker, s *Statement)
	setRule       func(c *checker, ctx context.Context, stmts []Statement) error
)

// Check runs the rules of `vexil check` over the loaded statements and
// returns every finding, sorted, at most MaxFindingsPerFile per file
// (LimitFindings). Statements from OpenVEX documents whose
// products are not yet resolved are resolved against cfg (on copies).
func Check(ctx context.Context, cfg *Config, stmts []Statement, opts CheckOptions) ([]Finding, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	c := &checker{cfg: cfg, inv: opts.Inventory}
	stmts = c.resolve(stmts)
	perStatement := []statementRule{
		(*checker).status,
		(*checker).vulnerability,
		(*checker).subcomponents,
		(*checker).products,
	}
	for i := range stmts {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for _, rule := range perStatement {
			rule(c, &stmts[i])
		}
	}
	sets := []setRule{
		(*checker).conflicts,
		(*checker).duplicates,
		(*checker).online,
	}
	for _, rule := range sets {
		if err := rule(c, ctx, stmts); err != nil {
			return nil, err
		}
	}
	SortFindings(c.findings)
	return LimitFindings(c.findings, MaxFindingsPerFile), nil
}

func (c *checker) report(s *Statement, p Position, rule string, sev Severity, format string, args ...any) {
	c.findings = append(c.findings, newFinding(s.File, p, rule, sev, format, args...))
}

func (c *checker) errorf(s *Statement, p Position, rule string, format string, args ...any) {
	c.report(s, p, rule, SeverityError, format, args...)
}

// resolve returns stmts with the OpenVEX product references mapped to
// products, copying only the statements it changes.
func (c *checker) resolve(stmts []Statement) []Statement {
	var out []Statement
	for i := range stmts {
		if !needsResolve(&stmts[i]) {
			continue
		}
		if out == nil {
			out = slices.Clone(stmts)
		}
		s := &out[i]
		s.Products = slices.Clone(s.Products)
		c.findings = append(c.findings, resolveStatement(c.cfg, s)...)
	}
	if out == nil {
		return stmts
	}
	return out
}

func needsResolve(s *Statement) bool {
	for _, p := range s.Products {
		if p.Name == "" && p.Ref != "" {
			return true
		}
	}
	return false
}

// status enforces the OpenVEX status rules, as go-vex's Validate does:
// not_affected needs a justification or an impact statement and forbids
// an action statement; affected needs an action statement and forbids a
// justification and an impact statement; fixed and under_investigation
// forbid all three.
func (c *checker) status(s *Statement) {
	at := s.At("status")
	var forbidden []string
	switch s.Status {
	case StatusNotAffected:
		if s.Justification == "" && s.ImpactStatement == "" {
			c.errorf(s, at, RuleStatusJustification, "status not_affected needs a justification or an impact_statement")
		}
		if s.Justification != "" && !slices.Contains(Justifications(), s.Justification) {
			c.errorf(s, s.At("justification"), RuleStatusJustification,
				"justification %q is not one of %s", s.Justification, quoteList(Justifications()))
		}
		forbidden = []string{"action_statement"}
	case StatusAffected:
		if s.ActionStatement == "" {
			c.errorf(s, at, RuleStatusActionStatement, "status affected needs an action_statement")
		}
		forbidden = []string{"justification", "impact_statement"}
	case StatusFixed, StatusUnderInvestigation:
		forbidden = []string{"justification", "impact_statement", "action_statement"}
	default:
		c.errorf(s, at, RuleStatusValue, "status %q is not one of [not_affected affected fixed under_investigation]", s.Status)
		return
	}
	for _, key := range forbidden {
		if s.field(key) != "" {
			c.errorf(s, s.At(key), RuleStatusForbiddenField, "%s is not allowed with status %s", key, s.Status)
		}
	}
}

func (s *Statement) field(key string) string {
	switch key {
	case "justification":
		return s.Justification
	case "impact_statement":
		return s.ImpactStatement
	case "action_statement":
		return s.ActionStatement
	}
	return ""
}

func (c *checker) vulnerability(s *Statement) {
	if msg := VulnerabilityIDProblem(s.Vulnerability); msg != "" {
		c.errorf(s, s.At("vulnerability"), RuleVulnerabilityID, "vulnerability %q %s", s.Vulnerability, msg)
	}
	for i, a := range s.Aliases {
		p := nth(s.AliasPos, i, s.At("aliases"))
		if msg := VulnerabilityIDProblem(a); msg != "" {
			c.errorf(s, p, RuleAliasID, "alias %q %s", a, msg)
		} else if a == s.Vulnerability {
			c.errorf(s, p, RuleAliasID, "alias %q is the vulnerability itself", a)
		}
	}
}

func (c *checker) subcomponents(s *Statement) {
	for i, sub := range s.Subcomponents {
		p := nth(s.SubcomponentPos, i, s.At("subcomponents"))
		if msg := PurlProblem(sub); msg != "" {
			c.errorf(s, p, RulePurlSyntax, "subcomponent %q %s", sub, msg)
		}
	}
}

// PurlProblem says what is wrong with a package URL, or returns "".
func PurlProblem(purl string) string {
	if !strings.HasPrefix(purl, "pkg:") {
		return "is not a package URL (pkg:type/namespace/name@version)"
	}
	p, err := packageurl.FromString(purl)
	if err != nil {
		return "is not a valid package URL: " + err.Error()
	}
	if p.Type == "" || p.Name == "" {
		return "is not a valid package URL: it needs a type and a name"
	}
	return ""
}

func (c *checker) products(s *Statement) {
	for _, sel := range s.Products {
		if sel.Name == "" {
			continue // unresolved OpenVEX reference, already reported
		}
		if _, ok := c.cfg.Products[sel.Name]; !ok {
			msg := fmt.Sprintf("product %q is not defined in %s", sel.Name, ConfigFileName)
			names := make([]string, 0, len(c.cfg.Products))
			for n := range c.cfg.Products {
				names = append(names, n)
			}
			slices.Sort(names)
			if hint := suggest(sel.Name, names); hint != "" {
				msg += fmt.Sprintf("; did you mean %s?", hint)
			}
			c.errorf(s, sel.Pos, RuleProductUnknown, "%s", msg)
		}
		for i, t := range sel.Tags {
			p := nth(sel.TagsPos, i, sel.Pos)
			if err := checkGlob(t); err != nil {
				c.errorf(s, p, RuleTagGlobSyntax, "tag glob %q: %v", t, err)
			}
		}
	}
}

// conflictKeys returns one key per product and subcomponent the statement
// is about: vulnerability (as named by vuln), product, tag selection and
// subcomponent.
func conflictKeys(s *Statement, vuln string) []string {
	subs := s.Subcomponents
	if len(subs) == 0 {
		subs = []string{""}
	}
	keys := make([]string, 0, len(s.Products)*len(subs))
	for _, p := range s.Products {
		if p.Name == "" {
			continue
		}
		tags := slices.Clone(p.Tags)
		slices.Sort(tags)
		for _, sub := range subs {
			keys = append(keys, vuln+"\x00"+p.Name+"\x00"+strings.Join(tags, "\x01")+"\x00"+sub)
		}
	}
	return keys
}

// describeKey renders a conflict key for a message, naming the
// vulnerability as the statement at hand does.
func describeKey(key, vuln string) string {
	parts := strings.Split(key, "\x00")
	var b strings.Builder
	fmt.Fprintf(&b, "%s for product %s", vuln, parts[1])
	if parts[2] != "" {
		fmt.Fprintf(&b, " (tags %s)", strings.ReplaceAll(parts[2], "\x01", ", "))
	}
	if parts[3] != "" {
		fmt.Fprintf(&b, ", subcomponent %s", parts[3])
	}
	return b.String()
}

func location(s *Statement, field string) string {
	p := s.At(field)
	return fmt.Sprintf("%s:%d:%d", s.File, max(p.Line, 1), max(p.Column, 1))
}

// aliasGroups maps every vulnerability id and alias of stmts to one id
// that stands for all the ids linked to it through aliases, so that a
// statement about CVE-2023-44487 and one about its alias
// GHSA-qppj-fm5r-hxr3 are about the same vulnerability, as scanners see it.
func aliasGroups(stmts []Statement) map[string]string {
	parent := map[string]string{}
	var find func(id string) string
	find = func(id string) string {
		p, ok := parent[id]
		if !ok || p == id {
			parent[id] = id
			return id
		}
		root := find(p)
		parent[id] = root
		return root
	}
	for i := range stmts {
		a := find(stmts[i].Vulnerability)
		for _, alias := range stmts[i].Aliases {
			if b := find(alias); a != b {
				// The smaller id stands for the group: deterministic.
				if b < a {
					a, b = b, a
				}
				parent[b] = a
			}
			a = find(stmts[i].Vulnerability)
		}
	}
	groups := make(map[string]string, len(parent))
	for id := range parent {
		groups[id] = find(id)
	}
	return groups
}

// conflicts reports statements that give different statuses for the same
// vulnerability (aliases included), product (and tag selection) and
// subcomponent, on both sides, each pointing at the other.
func (c *checker) conflicts(_ context.Context, stmts []Statement) error {
	vulns := aliasGroups(stmts)
	groups := map[string][]int{}
	for i := range stmts {
		for _, k := range conflictKeys(&stmts[i], vulns[stmts[i].Vulnerability]) {
			g := groups[k]
			if len(g) == 0 || g[len(g)-1] != i {
				groups[k] = append(g, i)
			}
		}
	}
	type pair struct{ a, b int }
	first := map[pair]string{}
	for k, g := range groups {
		for x := 0; x < len(g); x++ {
			for y := x + 1; y < len(g); y++ {
				a, b := g[x], g[y]
				if stmts[a].Status == stmts[b].Status {
					continue
				}
				pr := pair{a, b}
				if prev, seen := first[pr]; !seen || k < prev {
					first[pr] = k
				}
			}
		}
	}
	for pr, k := range first {
		a, b := &stmts[pr.a], &stmts[pr.b]
		c.errorf(a, a.At("status"), RuleConflict, "%s: status %s here conflicts with status %s at %s%s",
			describeKey(k, a.Vulnerability), a.Status, b.Status, location(b, "status"), about(a, b))
		c.errorf(b, b.At("status"), RuleConflict, "%s: status %s here conflicts with status %s at %s%s",
			describeKey(k, b.Vulnerability), b.Status, a.Status, location(a, "status"), about(b, a))
	}
	return nil
}

// about names the other statement's vulnerability when it is an alias.
func about(s, other *Statement) string {
	if s.Vulnerability == other.Vulnerability {
		return ""
	}
	return fmt.Sprintf(" (about %s, an alias)", other.Vulnerability)
}

// contentKey renders everything a statement says, order-insensitively.
func contentKey(s *Statement) string {
	sorted := func(v []string) string {
		v = slices.Clone(v)
		slices.Sort(v)
		return strings.Join(v, "\x01")
	}
	prods := make([]string, 0, len(s.Products))
	for _, p := range s.Products {
		prods = append(prods, p.Name+"\x02"+sorted(p.Tags))
	}
	return strings.Join([]string{
		s.Vulnerability, sorted(s.Aliases), sorted(prods), sorted(s.Subcomponents), string(s.Status),
		s.Justification, s.ImpactStatement, s.ActionStatement, s.StatusNotes,
	}, "\x00")
}

// duplicates reports each statement that says exactly what an earlier
// one (in file order) says.
func (c *checker) duplicates(_ context.Context, stmts []Statement) error {
	seen := make(map[string]int, len(stmts))
	for i := range stmts {
		s := &stmts[i]
		if needsResolve(s) {
			continue
		}
		k := contentKey(s)
		j, dup := seen[k]
		if !dup {
			seen[k] = i
			continue
		}
		c.report(s, s.Pos, RuleDuplicateStatement, SeverityWarning, "this statement repeats the statement at %s", location(&stmts[j], ""))
	}
	return nil
}
