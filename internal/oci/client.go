package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
)

// Defaults for Options.
const (
	DefaultJobs        = 8
	DefaultMaxBlobSize = 256 << 20
	DefaultRetries     = 4
	DefaultBackoff     = 200 * time.Millisecond
	DefaultUserAgent   = "vexil"
	// maxIndexDepth bounds how deep image indexes may nest.
	maxIndexDepth = 4
)

// Options configure a Client. The zero value is usable: TLS registries,
// Docker credentials, 8 jobs, the user cache directory, 256 MiB limit.
type Options struct {
	// PlainHTTP talks HTTP instead of HTTPS (loopback test registries).
	PlainHTTP bool
	// DockerConfig is the path of a Docker config.json to read credentials
	// and credential helpers from; empty means Docker's default location
	// ($DOCKER_CONFIG or ~/.docker/config.json).
	DockerConfig string
	// Anonymous ignores every credential store.
	Anonymous bool
	// Jobs bounds the parallel requests of one call; 0 means DefaultJobs.
	Jobs int
	// Retries is how many times a request is retried after a 5xx answer,
	// 429, or (for idempotent methods) a dropped connection; 0 means
	// DefaultRetries, negative means none.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one; 0 means DefaultBackoff.
	Backoff time.Duration
	// CacheDir is the root of the digest-keyed cache; empty means
	// os.UserCacheDir()/vexil.
	CacheDir string
	// NoCache disables the disk cache.
	NoCache bool
	// MaxBlobSize caps every manifest and blob; nothing past it is read. 0
	// means DefaultMaxBlobSize.
	MaxBlobSize int64
	// UserAgent is sent with every request; empty means DefaultUserAgent.
	UserAgent string
	// Logger receives debug and warning records; nil discards them.
	Logger *slog.Logger
	// Transport is the HTTP transport under the retries; nil means a clone
	// of http.DefaultTransport.
	Transport http.RoundTripper
}

// Client reads and writes OCI content in registries. It is safe for
// concurrent use.
type Client struct {
	opts  Options
	log   *slog.Logger
	auth  *auth.Client
	cache *cache // nil when disabled

	mu    sync.Mutex
	repos map[string]*remote.Repository

	// referrers remembers, per repository, whether it has the referrers API.
	referrers onceByKey[bool]
	// emptyConfig remembers the repositories known to hold the empty
	// config blob that every referrer manifest points at.
	emptyConfig onceByKey[ocispec.Descriptor]
}

// New returns a Client for opts.
func New(opts Options) (*Client, error) {
	if opts.Jobs <= 0 {
		opts.Jobs = DefaultJobs
	}
	if opts.Retries == 0 {
		opts.Retries = DefaultRetries
	} else if opts.Retries < 0 {
		opts.Retries = 0
	}
	if opts.Backoff <= 0 {
		opts.Backoff = DefaultBackoff
	}
	if opts.MaxBlobSize <= 0 {
		opts.MaxBlobSize = DefaultMaxBlobSize
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base := opts.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	c := &Client{
		opts:  opts,
		log:   log,
		repos: map[string]*remote.Repository{},
	}
	c.auth = &auth.Client{
		Client: &http.Client{Transport: &retryTransport{base: base, retries: opts.Retries, backoff: opts.Backoff, log: log}},
		Cache:  auth.NewCache(),
	}
	c.auth.SetUserAgent(opts.UserAgent)
	if !opts.Anonymous {
		var store credentials.Store
		var err error
		if opts.DockerConfig != "" {
			store, err = credentials.NewStore(opts.DockerConfig, credentials.StoreOptions{})
		} else if dockerConfigAvailable() {
			store, err = credentials.NewStoreFromDocker(credentials.StoreOptions{})
		}
		if err != nil {
			return nil, fmt.Errorf("reading docker credentials: %w", err)
		}
		if store != nil {
			c.auth.Credential = credentials.Credential(store)
		}
	}
	if !opts.NoCache {
		dir := opts.CacheDir
		if dir == "" {
			ucd, err := os.UserCacheDir()
			if err != nil {
				return nil, fmt.Errorf("finding the user cache directory: %w", err)
			}
			dir = filepath.Join(ucd, "vexil")
		}
		c.cache = &cache{dir: dir, log: log}
	}
	return c, nil
}

// repository returns the shared oras-go handle of repo ("host/path").
func (c *Client) repository(repo string) (*remote.Repository, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.repos[repo]; ok {
		return r, nil
	}
	r, err := remote.NewRepository(repo)
	if err != nil {
		return nil, fmt.Errorf("repository %q: %w", repo, err)
	}
	r.Client = c.auth
	r.PlainHTTP = c.opts.PlainHTTP
	// registries that refuse deletes (most, by default) must still accept
	// referrers through the tag schema
	r.SkipReferrersGC = true
	r.TagListPageSize = 1000
	c.repos[repo] = r
	return r, nil
}

// wrap adds the operand and, for network failures, ErrUnreachable naming
// the registry, to err.
func (c *Client) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	var netErr net.Error
	var opErr *net.OpError
	if (errors.As(err, &netErr) || errors.As(err, &opErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrUnreachable) {
		return fmt.Errorf("%s: %w: %w", msg, ErrUnreachable, err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// host returns the registry part of repo.
func host(repo string) string {
	h, _, _ := strings.Cut(repo, "/")
	return h
}

// scheme returns the URL scheme for requests.
func (c *Client) scheme() string {
	if c.opts.PlainHTTP {
		return "http"
	}
	return "https"
}

// dockerConfigAvailable reports whether the Docker config can be located:
// DOCKER_CONFIG is set, or there is a home directory to find ~/.docker in.
// Without either (a bare CI container, `env -i`), there are no stored
// credentials to read and access is anonymous, as with the docker CLI.
func dockerConfigAvailable() bool {
	if os.Getenv("DOCKER_CONFIG") != "" {
		return true
	}
	_, err := os.UserHomeDir()
	return err == nil
}
