package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/internal/report"
	"github.com/vexil-dev/vexil/statements"
)

// checkOptions are the inputs of `vexil check`.
type checkOptions struct {
	env      *environment
	globals  *globalOptions
	registry registryOptions

	Paths   []string
	Offline bool
	Base    string
	Format  string
}

// newCheckCmd builds `vexil check`.
func newCheckCmd(env *environment, g *globalOptions) *cobra.Command {
	opts := &checkOptions{env: env, globals: g}
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Check statements against the OpenVEX rules",
		Long: `Check every statement file under statements/ (or only the files and
directories given) against the rules of docs/rules.md, and report every
finding at once. Without --offline, check also lists the releases of each
product in its registry and proves that every subcomponent a statement
names is in the SBOM of every release (each platform) it targets; SBOMs
are cached on disk by digest.

With --base REV (a branch, tag or commit), check reviews a change: it
compares the working tree with the merge base of REV and HEAD, checks only
the statement files that changed (uncommitted edits count) and the
conflicts they introduce, reports a deleted statement file or one rewritten
to speak of another vulnerability or other products (retract a statement by
changing its status), and lists which vulnerabilities change status, per
release (per product with --offline). A shallow clone that lacks REV or
the history since the merge base is exit 2: fetch it (fetch-depth: 0).

Exit status: 0 no errors (warnings allowed), 1 findings with errors,
2 usage or configuration error, 3 registry or I/O failure.`,
		Example: `  vexil check
  vexil check --offline --format github statements/proxy
  vexil check --base origin/main --format markdown`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			return runCheck(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Offline, "offline", false, "run only the rules that need no registry")
	f.StringVar(&opts.Base, "base", "", "check only the statements changed since git revision `REV`")
	f.StringVar(&opts.Format, "format", "", "output `format`: "+report.FormatNames()+" (default text, or json with -o json)")
	opts.registry.AddFlags(f)
	return cmd
}

// format resolves --format and -o/--output to one report format.
func (o *checkOptions) format() (report.Format, error) {
	if o.Format == "" {
		return report.Format(o.globals.Output), nil
	}
	f, err := report.ParseFormat(o.Format)
	if err != nil {
		return "", &usageError{err: fmt.Errorf("--format: %w", err)}
	}
	if o.globals.Output != outputText && string(f) != o.globals.Output {
		return "", usageErrorf("--format %s and -o %s disagree; pass one of them", f, o.globals.Output)
	}
	return f, nil
}

// runCheck loads the repository, runs the rules and renders the findings
// on stdout and a summary on stderr.
func runCheck(cmd *cobra.Command, opts *checkOptions) error {
	format, err := opts.format()
	if err != nil {
		return err
	}
	if err := opts.registry.Validate(); err != nil {
		return err
	}
	ws, err := loadWorkspace(opts.env, opts.globals, func(findings []statements.Finding) error {
		if opts.Base != "" && format == report.JSON {
			// A review's json is always {findings, impact}, even
			// when vexil.yaml stops it before the comparison.
			return report.WriteReview(opts.env.Out, format, findings, &report.Review{Base: opts.Base}, reportOptions())
		}
		return report.Write(opts.env.Out, format, findings, reportOptions())
	})
	if err != nil {
		return err
	}
	paths := make([]string, len(opts.Paths))
	for i, p := range opts.Paths {
		paths[i] = ws.abs(p)
	}
	var checkOpts statements.CheckOptions
	if !opts.Offline {
		client, err := opts.registry.client(opts.env, opts.globals)
		if err != nil {
			return err
		}
		checkOpts.Inventory = &releaseInventory{client: client, opts: opts.registry.inventoryOptions(opts.env.Err)}
	}
	if opts.Base != "" {
		return runReview(cmd, opts, ws, format, paths, checkOpts)
	}
	stmts, findings, err := statements.LoadStatements(ws.Config.Root, paths)
	if err != nil {
		return fmt.Errorf("loading statements: %w", err)
	}
	checked, err := statements.Check(cmd.Context(), ws.Config, stmts, checkOpts)
	if err != nil {
		return fmt.Errorf("checking statements: %w", err)
	}
	all := append(append(append([]statements.Finding{}, ws.Findings...), findings...), checked...)
	statements.SortFindings(all)
	all = ws.displayFindings(all)

	if err := report.Write(opts.env.Out, format, all, reportOptions()); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	fmt.Fprintf(opts.env.Err, "%s in %s: %s\n",
		report.Plural(len(stmts), "statement"), report.Plural(countFiles(stmts), "file"), report.Count(all))
	if statements.HasErrors(all) {
		return errFindings
	}
	return nil
}

// countFiles returns how many distinct files stmts come from.
func countFiles(stmts []statements.Statement) int {
	seen := make(map[string]bool)
	for _, s := range stmts {
		seen[s.File] = true
	}
	return len(seen)
}
