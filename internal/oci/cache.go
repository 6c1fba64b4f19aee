package oci

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// cache keeps manifests and blobs on disk, keyed by digest. Content
// addressed by digest never changes, so an entry is valid forever — but
// only if its bytes still hash to the digest: every read verifies, and an
// entry that does not is deleted.
type cache struct {
	dir string
	log *slog.Logger
}

func (c *cache) path(d digest.Digest) string {
	return filepath.Join(c.dir, "blobs", d.Algorithm().String(), d.Encoded())
}

// get returns the cached bytes of desc, or nil if there are none (or they
// were corrupt and have been removed).
func (c *cache) get(desc ocispec.Descriptor) []byte {
	if desc.Digest.Validate() != nil {
		return nil
	}
	p := c.path(desc.Digest)
	b, err := os.ReadFile(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			c.log.Warn("reading cache entry", "path", p, "error", err)
		}
		return nil
	}
	if int64(len(b)) != desc.Size || desc.Digest.Algorithm().FromBytes(b) != desc.Digest {
		c.log.Warn("removing corrupt cache entry", "digest", desc.Digest, "path", p)
		if err := os.Remove(p); err != nil {
			c.log.Warn("removing corrupt cache entry", "path", p, "error", err)
		}
		return nil
	}
	return b
}

// put stores verified bytes atomically: a temporary file renamed into place.
func (c *cache) put(d digest.Digest, b []byte) error {
	p := c.path(d)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("creating cache directory: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("writing cache entry %s: %w", d, err)
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing cache entry %s: %w", d, err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing cache entry %s: %w", d, err)
	}
	return nil
}
