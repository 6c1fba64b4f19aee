package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/internal/report"
	"github.com/vexil-dev/vexil/publish"
)

// buildOptions are the inputs of `vexil build`.
type buildOptions struct {
	docs documentOptions

	Out string
}

// newBuildCmd builds `vexil build`.
func newBuildCmd(env *environment, g *globalOptions) *cobra.Command {
	opts := &buildOptions{docs: documentOptions{env: env, globals: g}}
	cmd := &cobra.Command{
		Use:   "build --out DIR",
		Short: "Write the OpenVEX document of every release, unsigned",
		Long: `Resolve the releases of every product and write the OpenVEX document that
'vexil publish' would sign for each, to DIR/<product>/<tag>.openvex.json:
the same bytes for the same git commit on any machine. Releases no statement
is about get no file.

Every rule of 'vexil check' runs first (--offline skips those that read SBOMs).`,
		Example: `  vexil build --out vex/
  vexil build --out vex/ --offline`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBuild(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Out, "out", "", "`directory` to write the documents to (required)")
	opts.docs.AddFlags(cmd.Flags(), true)
	return cmd
}

// runBuild builds the documents and writes them.
func runBuild(cmd *cobra.Command, opts *buildOptions) error {
	if opts.Out == "" {
		return usageErrorf("--out DIR is required")
	}
	env := opts.docs.env
	ws, popts, err := opts.docs.open()
	if err != nil {
		return err
	}
	res, err := publish.Documents(cmd.Context(), popts)
	if err != nil {
		return renderFindings(env.Out, ws, err)
	}
	out := ws.abs(opts.Out)
	written := 0
	for _, rel := range res.Releases {
		if rel.Document == nil {
			fmt.Fprintf(env.Err, "%s:%s: no statement is about this release\n", rel.Product, rel.Tag)
			continue
		}
		path := filepath.Join(out, rel.Product, rel.Tag+".openvex.json")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("writing documents: %w", err)
		}
		if err := os.WriteFile(path, rel.Canonical, 0o644); err != nil {
			return fmt.Errorf("writing documents: %w", err)
		}
		written++
		fmt.Fprintln(env.Out, ws.display(path))
	}
	fmt.Fprintf(env.Err, "%s from commit %s\n", report.Plural(written, "document"), res.Commit)
	return nil
}
