package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/spf13/pflag"

	"github.com/vexil-dev/vexil/internal/inventory"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/report"
	"github.com/vexil-dev/vexil/internal/sbom"
	"github.com/vexil-dev/vexil/statements"
)

// registryOptions are the flags of commands that read registries.
type registryOptions struct {
	// Jobs bounds the parallel registry requests.
	Jobs int
	// CacheDir is the digest-keyed cache; empty means the user cache
	// directory.
	CacheDir string
}

// AddFlags registers the registry flags on fs.
func (o *registryOptions) AddFlags(fs *pflag.FlagSet) {
	fs.IntVar(&o.Jobs, "jobs", oci.DefaultJobs, "registry requests to run in parallel")
	fs.StringVar(&o.CacheDir, "cache-dir", "", "`directory` of the digest-keyed blob cache (default: the user cache directory)")
}

// Validate checks the values of the registry flags.
func (o *registryOptions) Validate() error {
	if o.Jobs < 1 {
		return usageErrorf("--jobs %d: want at least 1", o.Jobs)
	}
	return nil
}

// client returns an OCI client for the global and registry flags, and
// resolves CacheDir to the directory the client caches in: a relative
// --cache-dir against the command's working directory, and the default
// from the command's environment (XDG_CACHE_HOME, then HOME). Where there
// is no such place (no HOME, as in a bare container) the run has no disk
// cache: everything is fetched, nothing is written.
func (o *registryOptions) client(env *environment, g *globalOptions) (*oci.Client, error) {
	switch {
	case o.CacheDir == "":
		if dir, ok := userCacheDir(env); ok {
			o.CacheDir = filepath.Join(dir, "vexil")
		}
	case !filepath.IsAbs(o.CacheDir):
		wd, err := env.Getwd()
		if err != nil {
			return nil, fmt.Errorf("finding the working directory: %w", err)
		}
		o.CacheDir = filepath.Join(wd, o.CacheDir)
	}
	c, err := oci.New(oci.Options{PlainHTTP: g.PlainHTTP, Jobs: o.Jobs, CacheDir: o.CacheDir, NoCache: o.CacheDir == ""})
	if err != nil {
		return nil, fmt.Errorf("setting up registry access: %w", err)
	}
	return c, nil
}

// inventoryOptions returns the options of inventory.Load, once client has
// resolved the cache directory (the purls of parsed SBOMs are cached
// beside the blobs); progress receives each product's count of releases.
func (o *registryOptions) inventoryOptions(progress io.Writer) inventory.Options {
	return inventory.Options{Jobs: o.Jobs, CacheDir: o.CacheDir, Progress: productProgress(progress)}
}

// loadInventory lists the releases (and, when sboms, the SBOMs) of the
// named products of cfg, all of them when names is empty, reporting each
// product's releases on progress.
func loadInventory(ctx context.Context, c *oci.Client, cfg *statements.Config, names []string, sboms bool, opts inventory.Options) ([]inventory.Releases, error) {
	if len(names) == 0 {
		for n := range cfg.Products {
			names = append(names, n)
		}
		slices.Sort(names)
	}
	products := make([]inventory.Product, len(names))
	for i, n := range names {
		p := cfg.Products[n]
		products[i] = inventory.Product{Name: n, Repository: p.Repository, Tags: p.Tags, SBOMs: sboms}
	}
	return inventory.Load(ctx, c, products, opts)
}

// productProgress reports on w how many releases each product has.
func productProgress(w io.Writer) func(inventory.Event) {
	return func(e inventory.Event) {
		if e.Tag == "" {
			fmt.Fprintf(w, "%s: %s\n", e.Product, report.Plural(e.Releases, "release"))
		}
	}
}

// releaseInventory answers the online rules of statements from the
// registries, through internal/inventory.
type releaseInventory struct {
	client *oci.Client
	// opts are those of inventory.Load: registryOptions.inventoryOptions.
	opts inventory.Options
}

var _ statements.Inventory = (*releaseInventory)(nil)

// Releases implements statements.Inventory.
func (r *releaseInventory) Releases(ctx context.Context, qs []statements.ReleaseQuery) ([]statements.ProductReleases, error) {
	products := make([]inventory.Product, len(qs))
	for i, q := range qs {
		products[i] = inventory.Product{Name: q.Product, Repository: q.Repository, Tags: q.Tags, SBOMs: q.SBOMs, SBOMTags: q.SBOMTags}
	}
	got, err := inventory.Load(ctx, r.client, products, r.opts)
	if err != nil {
		return nil, err
	}
	out := make([]statements.ProductReleases, len(got))
	for i := range got {
		out[i] = statements.ProductReleases{Missing: got[i].Missing, Releases: make([]statements.Release, len(got[i].Releases))}
		for j := range got[i].Releases {
			rel := &got[i].Releases[j]
			sr := statements.Release{Tag: rel.Tag, Digest: rel.Digest.String(), Platforms: make([]statements.ReleasePlatform, len(rel.Platforms)), SBOMsSkipped: rel.SBOMsSkipped}
			for k := range rel.Platforms {
				p := &rel.Platforms[k]
				sp := statements.ReleasePlatform{Platform: p.Platform, Digest: p.Digest.String()}
				for l := range p.SBOMs {
					s := &p.SBOMs[l]
					rs := statements.ReleaseSBOM{Source: sbomSource(s), Problem: s.Problem, Unsupported: errors.Is(s.Error, sbom.ErrUnsupportedFormat)}
					if s.Readable() {
						rs.Purls = s
					}
					sp.SBOMs = append(sp.SBOMs, rs)
				}
				sr.Platforms[k] = sp
			}
			out[i].Releases[j] = sr
		}
	}
	return out, nil
}

// sbomSource names an SBOM in findings: format, where it was found (and
// whether on the release's index), and the digest of the manifest holding
// it, shortened.
func sbomSource(s *inventory.SBOM) string {
	where := ""
	if s.Index {
		where = " on the index"
	}
	return fmt.Sprintf("%s %s%s %s", s.Format, s.Source, where, abbrevDigest(s.Manifest.String()))
}

// abbrevDigest shortens "sha256:<64 hex>" to "sha256:<12 hex>".
func abbrevDigest(d string) string {
	const keep = len("sha256:") + 12
	if len(d) > keep {
		return d[:keep]
	}
	return d
}

// userCacheDir is os.UserCacheDir read from the command's environment
// rather than the process's ($XDG_CACHE_HOME, else $HOME/.cache; on macOS
// and Windows the platform's own place); false when there is none.
func userCacheDir(env *environment) (string, bool) {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "plan9":
		dir, err := os.UserCacheDir()
		return dir, err == nil
	}
	if dir := env.getenv("XDG_CACHE_HOME"); filepath.IsAbs(dir) {
		return dir, true
	}
	if home := env.getenv("HOME"); home != "" {
		return filepath.Join(home, ".cache"), true
	}
	return "", false
}
