package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vexil-dev/vexil/internal/report"
	"github.com/vexil-dev/vexil/statements"
)

// workspace is the VEX repository a command works on, seen from the working
// directory.
type workspace struct {
	// Dir is the working directory.
	Dir string
	// Config is the loaded vexil.yaml; Config.Root is the repository root.
	Config *statements.Config
	// Findings are the findings of vexil.yaml (warnings only, since
	// errors stop openWorkspace).
	Findings []statements.Finding
}

// abs resolves a path given on the command line against the working
// directory.
func (w *workspace) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(w.Dir, p)
}

// display returns the path of a finding's file (relative to the repository
// root) as the user should see it: relative to the working directory, so
// that editors, CI annotations and SARIF uploads find it.
func (w *workspace) display(file string) string {
	abs := file
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(w.Config.Root, filepath.FromSlash(file))
	}
	rel, err := filepath.Rel(w.Dir, abs)
	if err != nil {
		return file
	}
	return filepath.ToSlash(rel)
}

// displayFindings rewrites the file of every finding with display.
func (w *workspace) displayFindings(fs []statements.Finding) []statements.Finding {
	out := make([]statements.Finding, len(fs))
	for i, f := range fs {
		f.File = w.display(f.File)
		out[i] = f
	}
	return out
}

// openWorkspace finds and loads vexil.yaml: the one named by --config, or
// the first found walking up from the working directory. If vexil.yaml has
// errors, it renders them in format f on out and returns an error wrapping
// errInvalidConfig.
func openWorkspace(env *environment, g *globalOptions, out io.Writer, f report.Format) (*workspace, error) {
	return loadWorkspace(env, g, func(findings []statements.Finding) error {
		return report.Write(out, f, findings, reportOptions())
	})
}

// loadWorkspace is openWorkspace with the rendering of vexil.yaml's
// errors left to render, for a command whose report has its own shape.
func loadWorkspace(env *environment, g *globalOptions, render func([]statements.Finding) error) (*workspace, error) {
	dir, err := env.Getwd()
	if err != nil {
		return nil, fmt.Errorf("finding the working directory: %w", err)
	}
	w := &workspace{Dir: dir}
	path := g.ConfigPath
	if path != "" {
		path = w.abs(path)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, usageErrorf("--config %s: no such file", g.ConfigPath)
		}
	} else if path, err = statements.FindConfig(dir); err != nil {
		return nil, err
	}
	cfg, findings, err := statements.LoadConfig(path)
	if err != nil {
		return nil, fmt.Errorf("loading configuration: %w", err)
	}
	w.Config = cfg
	statements.SortFindings(findings)
	if statements.HasErrors(findings) {
		shown := w.displayFindings(findings)
		if err := render(shown); err != nil {
			return nil, fmt.Errorf("writing the report: %w", err)
		}
		return nil, fmt.Errorf("%w: %s has %s", errInvalidConfig, w.display(cfg.File), report.Plural(report.Count(findings).Errors, "error"))
	}
	w.Findings = findings
	return w, nil
}

// reportOptions describe this build of vexil to the renderers.
func reportOptions() report.Options {
	return report.Options{ToolVersion: version()}
}
