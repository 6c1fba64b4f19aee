package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/pull"
	"github.com/vexil-dev/vexil/vex"
)

// trustFlags say whom pull and verify trust: a key, or a keyless identity
// with a trusted root; or, explicitly, no one.
type trustFlags struct {
	Key                         string
	CertificateIdentity         string
	CertificateIdentityRegexp   string
	CertificateOIDCIssuer       string
	CertificateOIDCIssuerRegexp string
	TrustedRoot                 string
	AllowUnsigned               bool
	Platform                    string
}

// AddFlags registers the trust flags on fs.
func (f *trustFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.Key, "key", "", "public key `FILE` (cosign.pub) or KMS URI the attestations must be signed with")
	fs.StringVar(&f.CertificateIdentity, "certificate-identity", "", "keyless: the signer's certificate identity (SAN)")
	fs.StringVar(&f.CertificateIdentityRegexp, "certificate-identity-regexp", "", "keyless: a regular expression the certificate identity must match")
	fs.StringVar(&f.CertificateOIDCIssuer, "certificate-oidc-issuer", "", "keyless: the OIDC issuer of the certificate")
	fs.StringVar(&f.CertificateOIDCIssuerRegexp, "certificate-oidc-issuer-regexp", "", "keyless: a regular expression the OIDC issuer must match")
	fs.StringVar(&f.TrustedRoot, "trusted-root", "", "keyless: sigstore trusted_root.json `FILE`")
	fs.BoolVar(&f.AllowUnsigned, "allow-unsigned", false, "also accept attestations without any signature (and, without --key or an identity, accept every attestation unverified)")
	fs.StringVar(&f.Platform, "platform", "", "only this platform `OS/ARCH[/VARIANT]` of an index (the index digest is always read)")
}

// Validate checks that the flags name one way to trust, or --allow-unsigned.
func (f *trustFlags) Validate() error {
	keyless := f.CertificateIdentity != "" || f.CertificateIdentityRegexp != "" ||
		f.CertificateOIDCIssuer != "" || f.CertificateOIDCIssuerRegexp != ""
	switch {
	case f.Key != "" && keyless:
		return usageErrorf("--key and --certificate-identity/--certificate-oidc-issuer are exclusive")
	case keyless && (f.CertificateIdentity == "") == (f.CertificateIdentityRegexp == ""):
		return usageErrorf("keyless verification needs one of --certificate-identity or --certificate-identity-regexp")
	case keyless && (f.CertificateOIDCIssuer == "") == (f.CertificateOIDCIssuerRegexp == ""):
		return usageErrorf("keyless verification needs one of --certificate-oidc-issuer or --certificate-oidc-issuer-regexp")
	case keyless && f.TrustedRoot == "":
		return usageErrorf("keyless verification needs --trusted-root FILE (a sigstore trusted_root.json)")
	case !keyless && f.TrustedRoot != "" && f.Key == "":
		return usageErrorf("--trusted-root needs --key or a certificate identity")
	case f.Key == "" && !keyless && !f.AllowUnsigned:
		return usageErrorf("say whom to trust: --key FILE, or --certificate-identity and --certificate-oidc-issuer with --trusted-root; or --allow-unsigned to skip verification")
	}
	return nil
}

// options returns pull's options, with file paths resolved against the
// working directory dir.
func (f *trustFlags) options(dir string) pull.Options {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	key := f.Key
	if !sign.IsKMS(key) {
		key = abs(key)
	}
	return pull.Options{
		Verify: sign.VerifyOptions{
			Key:                         key,
			CertificateIdentity:         f.CertificateIdentity,
			CertificateIdentityRegexp:   f.CertificateIdentityRegexp,
			CertificateOIDCIssuer:       f.CertificateOIDCIssuer,
			CertificateOIDCIssuerRegexp: f.CertificateOIDCIssuerRegexp,
			TrustedRoot:                 abs(f.TrustedRoot),
		},
		AllowUnsigned: f.AllowUnsigned,
		Platform:      f.Platform,
	}
}

// consumer is what pull and verify start from: the image, a client and
// pull's options, once the flags are checked.
type consumer struct {
	ref    pull.Reference
	client *oci.Client
	opts   pull.Options
	// dir is the working directory relative paths are resolved against.
	dir string
}

// consume checks the trust and registry flags and the image of pull or
// verify, and sets up what both need to call package pull.
func consume(env *environment, g *globalOptions, trust *trustFlags, reg *registryOptions, image string) (*consumer, error) {
	if err := trust.Validate(); err != nil {
		return nil, err
	}
	if err := reg.Validate(); err != nil {
		return nil, err
	}
	ref, err := pull.ParseReference(image)
	if err != nil {
		return nil, &usageError{err: err}
	}
	dir, err := env.Getwd()
	if err != nil {
		return nil, fmt.Errorf("finding the working directory: %w", err)
	}
	c, err := reg.client(env, g)
	if err != nil {
		return nil, err
	}
	opts := trust.options(dir)
	opts.Jobs = reg.Jobs
	return &consumer{ref: ref, client: c, opts: opts, dir: dir}, nil
}

// pullOptions are the inputs of `vexil pull`.
type pullOptions struct {
	env      *environment
	globals  *globalOptions
	trust    trustFlags
	registry registryOptions

	Image  string
	Output string
}

// newPullCmd builds `vexil pull`.
func newPullCmd(env *environment, g *globalOptions) *cobra.Command {
	opts := &pullOptions{env: env, globals: g}
	cmd := &cobra.Command{
		Use:   "pull IMAGE[:TAG|@DIGEST] (--key K | --certificate-identity ... | --allow-unsigned) [-o FILE]",
		Short: "Discover, verify and merge the VEX of an image for scanners",
		Long: `Find every VEX attestation of an image — OCI 1.1 referrers of its index
and platform digests (sigstore bundles, DSSE envelopes, in-toto statements;
referrers API or tag schema) and cosign's sha256-<hex>.att tags — verify
each, and merge those that pass into one OpenVEX document holding, for each
product and vulnerability, only the latest statement.

An attestation passes when its signature verifies with --key (or the
keyless identity), its statement names the digest it is attached to, and
its predicate is an OpenVEX document. Those that fail are listed on stderr
with the reason and left out; if none passes, nothing is written and the
exit status is 1.

The document goes to stdout, or to -o FILE, for grype --vex FILE or
trivy image --vex FILE.`,
		Example: `  vexil pull registry.example.com/acme/proxy:2.19.1 --key cosign.pub -o proxy.openvex.json
  grype registry.example.com/acme/proxy:2.19.1 --vex proxy.openvex.json
  vexil pull ghcr.io/acme/proxy@sha256:... --certificate-identity-regexp '^https://github.com/acme/' \
    --certificate-oidc-issuer https://token.actions.githubusercontent.com --trusted-root trusted_root.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Image = args[0]
			return runPull(cmd, opts)
		},
	}
	opts.trust.AddFlags(cmd.Flags())
	opts.registry.AddFlags(cmd.Flags())
	// -o is a file here: the data is always an OpenVEX document. The
	// flag shadows the global -o/--output of the same name.
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the merged document to `FILE` instead of stdout")
	return cmd
}

// runPull pulls, reports each attestation on stderr and writes the merged
// document.
func runPull(cmd *cobra.Command, opts *pullOptions) error {
	if opts.Output == outputJSON || opts.Output == outputText {
		return usageErrorf("-o %s: pull's -o names the file to write; the merged document is always OpenVEX JSON", opts.Output)
	}
	in, err := consume(opts.env, opts.globals, &opts.trust, &opts.registry, opts.Image)
	if err != nil {
		return err
	}
	ref, dir := in.ref, in.dir
	res, err := pull.Pull(cmd.Context(), in.client, ref, in.opts)
	if res != nil {
		writeAttestations(opts.env.Err, res)
	}
	if err != nil {
		return pullError(err)
	}
	data, err := vex.Canonical(res.Document)
	if err != nil {
		return fmt.Errorf("rendering the merged document: %w", err)
	}
	dest := "stdout"
	if opts.Output != "" {
		dest = opts.Output
		path := opts.Output
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("writing the merged document: %w", err)
		}
	} else if _, err := opts.env.Out.Write(data); err != nil {
		return err
	}
	fmt.Fprintf(opts.env.Err, "merged %d statements from %d of %d attestations into %s\n",
		len(res.Document.Statements), len(res.Accepted()), len(res.Attestations), dest)
	return nil
}

// pullError maps pull's outcomes to the command's errors: nothing to merge
// is a finding (exit 1), a bad key or root a usage error.
func pullError(err error) error {
	switch {
	case errors.Is(err, pull.ErrNoAttestations), errors.Is(err, pull.ErrNoneAccepted), errors.Is(err, vex.ErrNoStatements):
		return &findingsError{msg: err.Error()}
	case errors.Is(err, sign.ErrKey), errors.Is(err, sign.ErrOptions), errors.Is(err, pull.ErrNoPlatform):
		return &usageError{err: err}
	}
	return err
}

// writeAttestations lists on w each attestation found: accepted, or
// rejected with the reason.
func writeAttestations(w io.Writer, res *pull.Result) {
	for _, a := range res.Attestations {
		where := "index " + short(a.Subject)
		if a.Platform != "" && a.Subject != res.Image.Index {
			where = a.Platform + " " + short(a.Subject)
		}
		if a.Err != nil {
			fmt.Fprintf(w, "rejected %s on %s: %s\n", short(a.Manifest), where, reason(a.Err))
			continue
		}
		signer := a.Signer
		if !a.Verified {
			signer = "unverified"
		}
		fmt.Fprintf(w, "accepted %s on %s: %s, %s, %s, %d statements\n",
			short(a.Manifest), where, a.Format, a.PredicateType, signer, a.Statements())
	}
}

// reason renders why an attestation was rejected, with what to do about
// an unsigned one.
func reason(err error) string {
	if errors.Is(err, sign.ErrNoSignature) {
		return err.Error() + " (pass --allow-unsigned to accept unsigned attestations)"
	}
	return err.Error()
}

// short returns sha256:<first 12 hex>, enough to tell digests apart on a
// terminal.
func short[D ~string](d D) string {
	s := string(d)
	if alg, hex, ok := strings.Cut(s, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return s
}
