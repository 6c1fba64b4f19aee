package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/internal/report"
	"github.com/vexil-dev/vexil/review"
	"github.com/vexil-dev/vexil/statements"
)

// runReview is `vexil check --base`: it reviews the change since the merge
// base of --base and HEAD, renders the findings and the impact on stdout
// and a summary on stderr.
func runReview(cmd *cobra.Command, opts *checkOptions, ws *workspace, format report.Format, paths []string, checkOpts statements.CheckOptions) error {
	res, err := review.Run(cmd.Context(), review.Options{Config: ws.Config, Base: opts.Base, Paths: paths, Check: checkOpts})
	if err != nil {
		return fmt.Errorf("comparing with --base %s: %w", opts.Base, err)
	}
	all := append(append([]statements.Finding{}, ws.Findings...), res.Findings...)
	statements.SortFindings(all)
	all = ws.displayFindings(all)
	rv := &report.Review{Base: opts.Base, MergeBase: res.MergeBase, Files: len(res.Files), Impact: statusChanges(res.Impact)}
	if err := report.WriteReview(opts.env.Out, format, all, rv, reportOptions()); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	fmt.Fprintf(opts.env.Err, "%s in %s changed since %s: %s; %s\n",
		report.Plural(res.Statements, "statement"), report.Plural(len(res.Files), "file"), opts.Base,
		report.Count(all), report.Plural(len(res.Impact), "status change"))
	if statements.HasErrors(all) {
		return errFindings
	}
	return nil
}

// statusChanges turns the impact of a review into the renderers' rows.
func statusChanges(impact []review.Impact) []report.StatusChange {
	out := make([]report.StatusChange, len(impact))
	for i, c := range impact {
		out[i] = report.StatusChange(c)
	}
	return out
}
