package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/internal/scaffold"
)

// initOptions are the inputs of `vexil init`.
type initOptions struct {
	env     *environment
	globals *globalOptions

	Dir   string
	Force bool
}

// newInitCmd builds `vexil init`.
func newInitCmd(env *environment, g *globalOptions) *cobra.Command {
	opts := &initOptions{env: env, globals: g}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Start a VEX repository: vexil.yaml, statements/ and CI workflows",
		Long: `Write a commented vexil.yaml, a statements/ directory and two GitHub
Actions workflows (vex-check.yml for pull requests, vex-publish.yml for
releases) into DIR, the working directory by default.

Existing files are never overwritten unless --force is given: if any exists,
init names them and writes nothing.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = "."
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			return runInit(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite existing files")
	return cmd
}

// runInit writes the scaffold and lists the files written on stderr (and,
// with -o json, as a JSON array on stdout).
func runInit(opts *initOptions) error {
	wd, err := opts.env.Getwd()
	if err != nil {
		return fmt.Errorf("finding the working directory: %w", err)
	}
	files, err := scaffold.Files(scaffold.Options{Version: version()})
	if err != nil {
		return err
	}
	dir := opts.Dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(wd, dir)
	}
	written, err := scaffold.Write(dir, files, opts.Force)
	if exists := (*scaffold.ExistsError)(nil); errors.As(err, &exists) {
		for i, p := range exists.Paths {
			exists.Paths[i] = relativeTo(wd, p)
		}
	}
	if err != nil {
		return err
	}
	shown := make([]string, len(written))
	for i, p := range written {
		shown[i] = relativeTo(wd, p)
	}
	for _, p := range shown {
		fmt.Fprintf(opts.env.Err, "wrote %s\n", p)
	}
	if opts.globals.Output == outputJSON {
		enc := json.NewEncoder(opts.env.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(shown)
	}
	return nil
}

// relativeTo returns path relative to dir, slash-separated, or path itself
// if it has no relative form.
func relativeTo(dir, path string) string {
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(rel)
}
