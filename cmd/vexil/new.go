package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/internal/report"
	"github.com/vexil-dev/vexil/statements"
)

// newOptions are the inputs of `vexil new`.
type newOptions struct {
	env     *environment
	globals *globalOptions

	Vulnerability   string
	Products        []string
	Status          string
	Justification   string
	ImpactStatement string
	ActionStatement string
	StatusNotes     string
	Aliases         []string
	Subcomponents   []string
	File            string
}

// newNewCmd builds `vexil new`.
func newNewCmd(env *environment, g *globalOptions) *cobra.Command {
	opts := &newOptions{env: env, globals: g}
	cmd := &cobra.Command{
		Use:   "new VULN --product P --status S [flags]",
		Short: "Write a new statement file, checked first",
		Long: `Write one statement to statements/<first product>/<VULN>.yaml (or --file),
after checking it, together with the existing statements, by the rules of
` + "`vexil check --offline`" + `: if it has errors, or conflicts with a statement
already written, nothing is written. An existing file is never overwritten.

--product P means every release of P; --product P:GLOB only the releases
whose tag matches GLOB (repeat for more globs).`,
		Example: `  vexil new CVE-2023-44487 --product proxy --status not_affected \
    --justification vulnerable_code_not_in_execute_path \
    --alias GHSA-qppj-fm5r-hxr3 --subcomponent pkg:golang/golang.org/x/net@v0.17.0`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Vulnerability = args[0]
			return runNew(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Products, "product", nil, "product `P` of vexil.yaml; P:GLOB for only the releases whose tag matches GLOB (repeatable)")
	f.StringVar(&opts.Status, "status", "", "not_affected, affected, fixed or under_investigation")
	f.StringVar(&opts.Justification, "justification", "", "why not_affected: one of "+strings.Join(statements.Justifications(), ", "))
	f.StringVar(&opts.ImpactStatement, "impact-statement", "", "why not_affected, in words")
	f.StringVar(&opts.ActionStatement, "action-statement", "", "what users of an affected product should do")
	f.StringVar(&opts.StatusNotes, "status-notes", "", "notes on the status")
	f.StringArrayVar(&opts.Aliases, "alias", nil, "another id of the vulnerability, such as the GHSA or GO id scanners report (repeatable)")
	f.StringArrayVar(&opts.Subcomponents, "subcomponent", nil, "purl of the affected component; a version-less purl means any version (repeatable)")
	f.StringVar(&opts.File, "file", "", "write to `PATH` instead of statements/<product>/<VULN>.yaml")
	_ = cmd.MarkFlagRequired("product")
	_ = cmd.MarkFlagRequired("status")
	return cmd
}

// statement builds the statement the flags describe.
func (o *newOptions) statement() (statements.Statement, error) {
	s := statements.Statement{
		Vulnerability:   o.Vulnerability,
		Aliases:         o.Aliases,
		Subcomponents:   o.Subcomponents,
		Status:          statements.Status(o.Status),
		Justification:   o.Justification,
		ImpactStatement: o.ImpactStatement,
		ActionStatement: o.ActionStatement,
		StatusNotes:     o.StatusNotes,
	}
	bare := map[string]bool{}
	for _, p := range o.Products {
		name, glob, tagged := strings.Cut(p, ":")
		if name == "" || (tagged && glob == "") {
			return s, usageErrorf("--product %q: want NAME or NAME:GLOB", p)
		}
		i := slices.IndexFunc(s.Products, func(sel statements.ProductSelector) bool { return sel.Name == name })
		if i < 0 {
			s.Products = append(s.Products, statements.ProductSelector{Name: name})
			i = len(s.Products) - 1
			bare[name] = !tagged
		} else if bare[name] != !tagged || !tagged {
			return s, usageErrorf("--product %s given twice, or both with and without a tag glob", name)
		}
		if tagged {
			s.Products[i].Tags = append(s.Products[i].Tags, glob)
		}
	}
	return s, nil
}

// target returns the absolute path of the file to write and its path
// relative to the repository root, slash-separated.
func (o *newOptions) target(ws *workspace, s statements.Statement) (abs, rel string, err error) {
	if o.File != "" {
		abs = ws.abs(o.File)
	} else {
		v := s.Vulnerability
		if v == "" || v == "." || v == ".." || strings.ContainsAny(v, `/\`) {
			return "", "", usageErrorf("vulnerability %q cannot name a file; pass --file", v)
		}
		abs = filepath.Join(ws.Config.Root, statements.StatementsDir, s.Products[0].Name, v+".yaml")
	}
	r, err := filepath.Rel(ws.Config.Root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", "", usageErrorf("%s is outside the VEX repository %s", ws.display(abs), ws.display(ws.Config.Root))
	}
	if !strings.HasPrefix(r, statements.StatementsDir+string(filepath.Separator)) {
		return "", "", usageErrorf("%s is not under %s/, where check and publish read statements", ws.display(abs), ws.display(filepath.Join(ws.Config.Root, statements.StatementsDir)))
	}
	if ext := filepath.Ext(abs); ext != ".yaml" && ext != ".yml" {
		return "", "", usageErrorf("%s: a statement file is written as YAML and must end in .yaml", ws.display(abs))
	}
	return abs, filepath.ToSlash(r), nil
}

// runNew checks the new statement with the existing ones and writes it if
// it adds no error.
func runNew(cmd *cobra.Command, opts *newOptions) error {
	s, err := opts.statement()
	if err != nil {
		return err
	}
	ws, err := openWorkspace(opts.env, opts.globals, opts.env.Err, report.Text)
	if err != nil {
		return err
	}
	abs, rel, err := opts.target(ws, s)
	if err != nil {
		return err
	}
	shown := ws.display(abs)
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("%s: %w", shown, errStatementExists)
	}

	data, err := statements.Marshal(s)
	if err != nil {
		return fmt.Errorf("rendering the statement: %w", err)
	}
	findings, err := newFindings(cmd, ws, rel, data)
	if err != nil {
		return err
	}
	if len(findings) > 0 {
		if err := report.WriteText(opts.env.Err, ws.displayFindings(findings)); err != nil {
			return err
		}
	}
	if statements.HasErrors(findings) {
		return &findingsError{msg: fmt.Sprintf("%s not written: %s", shown, report.Count(findings))}
	}

	if err := writeExclusive(abs, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w", shown, errStatementExists)
		}
		return err
	}
	if opts.globals.Output == outputJSON {
		return json.NewEncoder(opts.env.Out).Encode(map[string]string{"file": shown})
	}
	_, err = fmt.Fprintln(opts.env.Out, shown)
	return err
}

// newFindings decodes data as the file rel and returns the findings it
// brings: those of decoding, and those that checking it together with the
// existing statements adds to checking them alone (so conflicts with
// existing files count, and problems already in the repository do not).
func newFindings(cmd *cobra.Command, ws *workspace, rel string, data []byte) ([]statements.Finding, error) {
	added, findings := statements.Decode(rel, data)
	existing, _, err := statements.LoadStatements(ws.Config.Root, nil)
	if err != nil {
		return nil, fmt.Errorf("loading statements: %w", err)
	}
	before, err := statements.Check(cmd.Context(), ws.Config, existing, statements.CheckOptions{})
	if err != nil {
		return nil, fmt.Errorf("checking statements: %w", err)
	}
	after, err := statements.Check(cmd.Context(), ws.Config, append(slices.Clip(existing), added...), statements.CheckOptions{})
	if err != nil {
		return nil, fmt.Errorf("checking statements: %w", err)
	}
	seen := make(map[statements.Finding]int, len(before))
	for _, f := range before {
		seen[f]++
	}
	for _, f := range after {
		if seen[f] > 0 {
			seen[f]--
			continue
		}
		findings = append(findings, f)
	}
	statements.SortFindings(findings)
	return findings, nil
}

// writeExclusive creates path, and its directory, with data; it fails with
// fs.ErrExist if path exists, and removes what it wrote if writing fails.
func writeExclusive(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
