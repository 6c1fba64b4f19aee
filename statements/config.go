package statements

import (
	"errors"
	"fmt"
	"go.yaml.in/yaml/v3"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// MaxFileSize is the largest statement or configuration file vexil reads.
// Larger files give a file-too-large finding and are never read whole.
const MaxFileSize = 1 << 20

// FindConfig walks up from dir, like git does, and returns the path of the
// first vexil.yaml it finds.
func FindConfig(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("finding %s from %s: %w", ConfigFileName, dir, err)
	}
	for {
		p := filepath.Join(abs, ConfigFileName)
		fi, err := os.Stat(p)
		switch {
		case err == nil && fi.Mode().IsRegular():
			return p, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("finding %s: %w", ConfigFileName, err)
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return "", ErrNoConfig
		}
		abs = parent
	}
}

// LoadConfig reads and strictly decodes vexil.yaml. Problems in its content
// (syntax, unknown or duplicate keys, wrong types, bad globs) come back as
// findings with positions; err is only for I/O failures.
func LoadConfig(path string) (*Config, []Finding, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	data, tooLarge, err := readCapped(abs)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", path, err)
	}
	cfg := &Config{File: path, Root: filepath.Dir(abs), Products: map[string]Product{}}
	name := filepath.Base(abs)
	if tooLarge {
		return cfg, []Finding{newFinding(name, Position{}, RuleFileTooLarge, SeverityError, "the file is larger than %d bytes", MaxFileSize)}, nil
	}
	fs := DecodeConfig(name, data, cfg)
	return cfg, fs, nil
}

// readCapped reads a file of at most MaxFileSize bytes; tooLarge says the
// file is larger, and then nothing of it is read. It reads the size the
// file has when opened, in one read for a small file.
func readCapped(name string) (data []byte, tooLarge bool, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if fi.Size() > MaxFileSize {
		return nil, true, nil
	}
	data = make([]byte, fi.Size())
	n, err := io.ReadFull(f, data)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) { // a file that shrank is read as it is
		return nil, false, err
	}
	return data[:n], false, nil
}

func configKeys() []string      { return []string{"author", "id_prefix", "products", "publish"} }
func productKeys() []string     { return []string{"repository", "tags"} }
func publishKeys() []string     { return []string{"predicate_type", "subjects"} }
func publishSubjects() []string { return []string{"index", "platforms"} }

// DecodeConfig decodes the content of a vexil.yaml into cfg and returns
// its findings, sorted; file names the file in findings.
func DecodeConfig(file string, data []byte, cfg *Config) []Finding {
	if cfg.Products == nil {
		cfg.Products = map[string]Product{}
	}
	root, findings := parseYAML(file, data, configRules())
	if root == nil {
		return findings
	}
	r := &nodeReader{file: file, rules: configRules()}
	top, ok := r.mapping(root, ConfigFileName, configKeys())
	if !ok {
		return r.findings
	}
	r.require(root, ConfigFileName, top, "products")
	if f, has := top["author"]; has {
		cfg.Author, _ = r.str(f.val, "author")
	}
	if f, has := top["id_prefix"]; has {
		if v, ok := r.str(f.val, "id_prefix"); ok {
			cfg.IDPrefix = v
			if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
				r.report(pos(f.val), RuleConfigValue, "id_prefix %q must be an http(s) URL", v)
			}
		}
	}
	if f, has := top["products"]; has {
		r.products(f.val, cfg)
	}
	if f, has := top["publish"]; has {
		r.publish(f.val, cfg)
	}
	SortFindings(r.findings)
	return r.findings
}

func (r *nodeReader) products(n *yaml.Node, cfg *Config) {
	prods, ok := r.mapping(n, "products", nil)
	if !ok {
		return
	}
	if len(prods) == 0 {
		r.report(pos(n), RuleConfigRequired, "products must define at least one product")
	}
	for name, f := range prods {
		what := fmt.Sprintf("product %q", name)
		if !validProductName(name) {
			r.report(pos(f.keyNode), RuleConfigValue, "product name %q must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit", name)
		}
		fields, ok := r.mapping(f.val, what, productKeys())
		if !ok {
			continue
		}
		p := Product{Pos: pos(f.keyNode)}
		r.require(f.val, what, fields, "repository", "tags")
		if rf, has := fields["repository"]; has {
			if v, ok := r.str(rf.val, what+" repository"); ok {
				p.Repository = v
				if msg := repositoryProblem(v); msg != "" {
					r.report(pos(rf.val), RuleConfigValue, "repository %q %s", v, msg)
				}
			}
		}
		if tf, has := fields["tags"]; has {
			tags, ps, _ := r.strList(tf.val, what+" tags")
			if len(tags) == 0 && tf.val.Kind == yaml.SequenceNode {
				r.report(pos(tf.val), RuleConfigRequired, "%s tags must list at least one glob", what)
			}
			for i, t := range tags {
				if err := checkGlob(t); err != nil {
					r.report(ps[i], RuleTagGlobSyntax, "tag glob %q: %v", t, err)
				}
			}
			p.Tags, p.TagsPos = tags, ps
		}
		cfg.Products[name] = p
	}
}

func (r *nodeReader) publish(n *yaml.Node, cfg *Config) {
	fields, ok := r.mapping(n, "publish", publishKeys())
	if !ok {
		return
	}
	if f, has := fields["predicate_type"]; has {
		cfg.Publish.PredicateType, _ = r.str(f.val, "publish.predicate_type")
	}
	if f, has := fields["subjects"]; has {
		subs, ps, _ := r.strList(f.val, "publish.subjects")
		for i, s := range subs {
			if !contains(publishSubjects(), s) {
				r.report(ps[i], RuleConfigValue, "publish subject %q is not one of [index platforms]", s)
			}
		}
		cfg.Publish.Subjects = subs
	}
}

func validProductName(name string) bool {
	if name == "" {
		return false
	}
	for i, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// repositoryProblem says what is wrong with an image repository name, or "".
func repositoryProblem(repo string) string {
	switch {
	case repo == "":
		return "is empty"
	case strings.ContainsAny(repo, "@ \t"):
		return "must be a repository without a tag or digest"
	case strings.Contains(path.Base(repo), ":"):
		return "must be a repository without a tag or digest"
	case strings.ToLower(repo) != repo:
		return "must be lowercase"
	}
	return ""
}

// checkGlob validates a tag glob in path.Match syntax.
func checkGlob(glob string) error {
	if glob == "" {
		return errors.New("empty glob")
	}
	if _, err := path.Match(glob, ""); err != nil {
		return err
	}
	return nil
}
