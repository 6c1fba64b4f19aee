package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"
)

//go:embed all:templates
var templates embed.FS

// File is one file of a new VEX repository.
type File struct {
	// Path is slash-separated and relative to the repository root.
	Path string
	Data []byte
}

// Options fill the templates.
type Options struct {
	// Version is the vexil version the workflows run, as `go run
	// github.com/vexil-dev/vexil/cmd/vexil@<Version>`; "latest" when empty.
	Version string
}

// Files returns the files of a new VEX repository, sorted by path.
func Files(opts Options) ([]File, error) {
	if opts.Version == "" {
		opts.Version = "latest"
	}
	var files []File
	err := fs.WalkDir(templates, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		text, err := templates.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "templates/")
		var data []byte
		if strings.HasSuffix(name, ".tmpl") {
			name = strings.TrimSuffix(name, ".tmpl")
			t, err := template.New(name).Delims("[[", "]]").Option("missingkey=error").Parse(string(text))
			if err != nil {
				return fmt.Errorf("parsing template %s: %w", p, err)
			}
			var buf bytes.Buffer
			if err := t.Execute(&buf, opts); err != nil {
				return fmt.Errorf("executing template %s: %w", p, err)
			}
			data = buf.Bytes()
		} else {
			data = text
		}
		files = append(files, File{Path: name, Data: data})
		return nil
	})
	return files, err
}

// ExistsError lists the files Write refused to overwrite. It wraps
// ErrExists.
type ExistsError struct {
	// Paths are the existing files, as given to Write (joined to dir).
	Paths []string
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s: %s", strings.Join(e.Paths, ", "), ErrExists)
}

// Unwrap returns ErrExists.
func (e *ExistsError) Unwrap() error { return ErrExists }

// Write writes files under dir, creating directories as needed, and
// returns the paths written (dir joined with each File.Path).
//
// Unless force is set, Write first checks every target and, if any exists,
// writes nothing and returns an *ExistsError naming all of them. Each file
// is first written to a temporary file beside its target and renamed into
// place only once all of them are written, so that a failure leaves no file
// half written.
func Write(dir string, files []File, force bool) ([]string, error) {
	targets := make([]string, len(files))
	var existing []string
	for i, f := range files {
		targets[i] = filepath.Join(dir, filepath.FromSlash(path.Clean(f.Path)))
		switch st, err := os.Lstat(targets[i]); {
		case err == nil && st.IsDir():
			return nil, fmt.Errorf("%s: is a directory", targets[i])
		case err == nil && !force:
			existing = append(existing, targets[i])
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return nil, err
		}
	}
	if len(existing) > 0 {
		return nil, &ExistsError{Paths: existing}
	}

	temps := make([]string, 0, len(files))
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for i, f := range files {
		t, err := writeTemp(targets[i], f.Data)
		if err != nil {
			cleanup()
			return nil, err
		}
		temps = append(temps, t)
	}
	for i, t := range temps {
		if err := os.Rename(t, targets[i]); err != nil {
			cleanup()
			return targets[:i], fmt.Errorf("writing %s: %w", targets[i], err)
		}
	}
	return targets, nil
}

// writeTemp writes data to a new temporary file in target's directory,
// creating the directory, and returns the temporary file's path.
func writeTemp(target string, data []byte) (string, error) {
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".*")
	if err != nil {
		return "", fmt.Errorf("writing %s: %w", target, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("writing %s: %w", target, err)
	}
	return f.Name(), nil
}
