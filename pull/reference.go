package pull

import (
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
)

// Reference names an image: a repository and a tag or a digest.
type Reference struct {
	// Repository is host/path, without tag or digest.
	Repository string
	// Tag is the tag; empty when Digest is set.
	Tag string
	// Digest pins the image; empty when a tag names it.
	Digest digest.Digest
}

// ParseReference parses IMAGE[:TAG|@DIGEST]; without either the tag is
// "latest". The repository must name its registry host, as scanners and
// registries need it.
func ParseReference(s string) (Reference, error) {
	var ref Reference
	name := s
	if repo, d, ok := strings.Cut(s, "@"); ok {
		dg, err := digest.Parse(d)
		if err != nil {
			return Reference{}, fmt.Errorf("%w %q: digest: %w", ErrReference, s, err)
		}
		name, ref.Digest = repo, dg
	}
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		ref.Tag = name[i+1:]
		name = name[:i]
		if ref.Tag == "" {
			return Reference{}, fmt.Errorf("%w %q: empty tag", ErrReference, s)
		}
	}
	host, path, ok := strings.Cut(name, "/")
	if !ok || host == "" || path == "" || strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") || strings.Contains(path, "//") {
		return Reference{}, fmt.Errorf("%w %q: want HOST/REPOSITORY[:TAG|@DIGEST]", ErrReference, s)
	}
	if path != strings.ToLower(path) {
		return Reference{}, fmt.Errorf("%w %q: repository names are lower case", ErrReference, s)
	}
	ref.Repository = name
	if ref.Digest != "" {
		// a digest pins the image; a tag beside it is only a label
		ref.Tag = ""
	} else if ref.Tag == "" {
		ref.Tag = "latest"
	}
	return ref, nil
}

// String returns repository:tag or repository@digest.
func (r Reference) String() string {
	if r.Digest != "" {
		return r.Repository + "@" + r.Digest.String()
	}
	return r.Repository + ":" + r.Tag
}

// reference returns what the registry resolves: the digest or the tag.
func (r Reference) reference() string {
	if r.Digest != "" {
		return r.Digest.String()
	}
	return r.Tag
}
