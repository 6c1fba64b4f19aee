package oci

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// OpenBlob is FetchBlob for large blobs: it streams instead of holding the
// blob in memory. With the cache on, a missing blob is downloaded into the
// cache (verified before it is renamed into place) and the cache file is
// returned. A cached file is verified as it is read: the reader's last Read
// returns an error wrapping ErrDigestMismatch (and removes the entry) if
// the bytes are not desc's, so read to io.EOF before trusting what was read.
func (c *Client) OpenBlob(ctx context.Context, repo string, desc ocispec.Descriptor) (io.ReadCloser, error) {
	what := fmt.Sprintf("fetching %s@%s", repo, desc.Digest)
	if err := c.checkDescriptor(what, desc); err != nil {
		return nil, err
	}
	if c.cache != nil {
		p := c.cache.path(desc.Digest)
		if f, err := os.Open(p); err == nil {
			if st, err := f.Stat(); err == nil && st.Size() == desc.Size {
				return &verifyingReader{r: f, c: f, desc: desc, h: desc.Digest.Algorithm().Hash(), what: what, onBad: func() { os.Remove(p) }}, nil
			}
			f.Close()
			c.log.WarnContext(ctx, "removing corrupt cache entry", "digest", desc.Digest, "path", p)
			os.Remove(p)
		}
	}
	if c.cache == nil {
		// streamed to the caller: bytes handed on cannot be taken back, so
		// a body cut off is the caller's error
		resp, err := c.getContent(ctx, repo, "blobs", desc, what)
		if err != nil {
			return nil, err
		}
		body := io.LimitReader(resp.Body, desc.Size+1)
		return &verifyingReader{r: body, c: resp.Body, desc: desc, h: desc.Digest.Algorithm().Hash(), what: what}, nil
	}
	p := c.cache.path(desc.Digest)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("%s: creating cache directory: %w", what, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	err = c.withBodyRetries(ctx, func() error {
		resp, err := c.getContent(ctx, repo, "blobs", desc, what)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := tmp.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := tmp.Truncate(0); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		h := desc.Digest.Algorithm().Hash()
		n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(resp.Body, desc.Size+1))
		if err != nil {
			return c.cutBody(err, "%s", what)
		}
		if err := check(desc, n, h); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%s: %w", what, cerr)
	}
	if err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return os.Open(p)
}

func check(desc ocispec.Descriptor, n int64, h hash.Hash) error {
	if n != desc.Size {
		return fmt.Errorf("%w: got %d bytes, descriptor says %d", ErrDigestMismatch, n, desc.Size)
	}
	if got := digest.NewDigest(desc.Digest.Algorithm(), h); got != desc.Digest {
		return fmt.Errorf("%w: got %s", ErrDigestMismatch, got)
	}
	return nil
}

// verifyingReader hashes what passes through it and, at EOF, fails unless
// the bytes were desc's.
type verifyingReader struct {
	r     io.Reader
	c     io.Closer
	desc  ocispec.Descriptor
	h     hash.Hash
	n     int64
	what  string
	onBad func()
	err   error
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.n > v.desc.Size {
		err = fmt.Errorf("%s: %w: more than %d bytes", v.what, ErrDigestMismatch, v.desc.Size)
	} else if errors.Is(err, io.EOF) {
		if cerr := check(v.desc, v.n, v.h); cerr != nil {
			err = fmt.Errorf("%s: %w", v.what, cerr)
		}
	}
	if err != nil && !errors.Is(err, io.EOF) && v.onBad != nil && errors.Is(err, ErrDigestMismatch) {
		v.onBad()
	}
	if err != nil {
		v.err = err
	}
	return n, err
}

func (v *verifyingReader) Close() error { return v.c.Close() }
