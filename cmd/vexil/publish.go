package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vexil-dev/vexil/internal/report"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/publish"
)

// documentOptions are what build and publish share: the process they run
// in, and the flags that choose which documents to make, and from what.
type documentOptions struct {
	env      *environment
	globals  *globalOptions
	registry registryOptions
	// Offline skips the check rules that read SBOMs from the registries.
	Offline bool
	// AllowDirty uses statement files with uncommitted changes,
	// timestamped by SOURCE_DATE_EPOCH or the clock.
	AllowDirty bool
}

// AddFlags registers the document flags on fs.
func (o *documentOptions) AddFlags(fs *pflag.FlagSet, offline bool) {
	o.registry.AddFlags(fs)
	if offline {
		fs.BoolVar(&o.Offline, "offline", false, "skip the check rules that read the SBOMs of the releases")
	}
	fs.BoolVar(&o.AllowDirty, "allow-dirty", false, "use statement files with uncommitted changes (timestamped by SOURCE_DATE_EPOCH, else the clock)")
}

// open opens the workspace of the working directory and returns it with
// the publish options for it.
func (o *documentOptions) open() (*workspace, publish.Options, error) {
	ws, err := openWorkspace(o.env, o.globals, o.env.Err, report.Text)
	if err != nil {
		return nil, publish.Options{}, err
	}
	if err := o.registry.Validate(); err != nil {
		return nil, publish.Options{}, err
	}
	client, err := o.registry.client(o.env, o.globals)
	if err != nil {
		return nil, publish.Options{}, err
	}
	opts := publish.Options{Config: ws.Config, Client: client, Jobs: o.registry.Jobs, AllowDirty: o.AllowDirty, Tooling: "vexil"}
	if !o.Offline {
		opts.Inventory = &releaseInventory{client: client, opts: o.registry.inventoryOptions(o.env.Err)}
	}
	if o.AllowDirty {
		now, err := sourceDateEpoch(o.env.getenv)
		if err != nil {
			return nil, publish.Options{}, err
		}
		opts.Now = now
	}
	return ws, opts, nil
}

// sourceDateEpoch returns a clock stopped at $SOURCE_DATE_EPOCH, or the
// wall clock when it is not set.
func sourceDateEpoch(getenv func(string) string) (func() time.Time, error) {
	v := getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Now, nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, usageErrorf("SOURCE_DATE_EPOCH=%q: want seconds since 1970", v)
	}
	t := time.Unix(sec, 0).UTC()
	return func() time.Time { return t }, nil
}

// renderFindings prints the findings that stopped build or publish on w
// and returns the error to exit with.
func renderFindings(w io.Writer, ws *workspace, err error) error {
	var fe *publish.FindingsError
	if !errors.As(err, &fe) {
		return err
	}
	if werr := report.Write(w, report.Text, ws.displayFindings(fe.Findings), reportOptions()); werr != nil {
		return fmt.Errorf("writing the report: %w", werr)
	}
	return &findingsError{msg: fmt.Sprintf("%s; nothing was signed or pushed (fix them, see 'vexil check')", report.Count(fe.Findings))}
}

// signOptions choose the signer of publish.
type signOptions struct {
	Key       string
	Keyless   bool
	FulcioURL string
	RekorURL  string
}

// AddFlags registers the signing flags on fs.
func (o *signOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Key, "key", "", "cosign private key `file` (password from COSIGN_PASSWORD) or KMS URI (awskms://, gcpkms://, azurekms://, hashivault://)")
	fs.BoolVar(&o.Keyless, "keyless", false, "sign keyless: Fulcio certificate for the OIDC token of SIGSTORE_ID_TOKEN or the CI, Rekor entry")
	fs.StringVar(&o.FulcioURL, "fulcio-url", sign.DefaultFulcioURL, "Fulcio `URL` for --keyless")
	fs.StringVar(&o.RekorURL, "rekor-url", sign.DefaultRekorURL, "Rekor `URL` for --keyless")
}

// Validate checks that exactly one way of signing is chosen.
func (o *signOptions) Validate() error {
	switch {
	case o.Key != "" && o.Keyless:
		return usageErrorf("--key and --keyless are exclusive")
	case o.Key == "" && !o.Keyless:
		return usageErrorf("say how to sign: --key FILE|KMS-URI, or --keyless")
	}
	return nil
}

// signer creates the signer once: the key is decrypted here.
func (o *signOptions) signer(cmd *cobra.Command, env *environment, ws *workspace) (sign.Signer, error) {
	ctx := cmd.Context()
	switch {
	case o.Keyless:
		return sign.NewKeyless(ctx, sign.KeylessOptions{FulcioURL: o.FulcioURL, RekorURL: o.RekorURL, Getenv: env.getenv})
	case sign.IsKMS(o.Key):
		return sign.LoadKMS(ctx, o.Key)
	}
	return sign.LoadKey(ctx, ws.abs(o.Key), []byte(env.getenv("COSIGN_PASSWORD")))
}

// publishOptions are the inputs of `vexil publish`.
type publishOptions struct {
	docs documentOptions
	sign signOptions

	DryRun bool
}

// newPublishCmd builds `vexil publish`.
func newPublishCmd(env *environment, g *globalOptions) *cobra.Command {
	opts := &publishOptions{docs: documentOptions{env: env, globals: g}}
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "Sign the documents of every release and push them as OCI 1.1 referrers",
		Long: `Build the OpenVEX document of every release (as 'vexil build' does), sign it
as an in-toto attestation for each subject (the index and each platform
manifest, per publish.subjects) and push the sigstore bundle as an OCI 1.1
referrer of that digest. Releases are never changed: every tag must resolve
to the same manifest before and after, or publish fails.

Every rule of 'vexil check' runs first, against the SBOMs too; any error stops
publish before anything is signed. A subject that already has a referrer
with the same content digest is skipped, so running publish again after a
failure finishes the work without duplicates. Uncommitted statement files
are refused unless --allow-dirty.

Progress goes to stderr, a line per subject and on a terminal a bar under
them; -o json prints a summary on stdout.`,
		Example: `  COSIGN_PASSWORD=... vexil publish --key cosign.key
  vexil publish --dry-run
  vexil publish --keyless -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPublish(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.DryRun, "dry-run", false, "print what would be pushed and what is up to date; sign and push nothing")
	opts.docs.AddFlags(f, true)
	opts.sign.AddFlags(f)
	return cmd
}

// runPublish plans or publishes, and renders the outcome.
func runPublish(cmd *cobra.Command, opts *publishOptions) error {
	if !opts.DryRun {
		if err := opts.sign.Validate(); err != nil {
			return err
		}
	}
	env := opts.docs.env
	ws, popts, err := opts.docs.open()
	if err != nil {
		return err
	}
	var res *publish.Result
	if opts.DryRun {
		res, err = publish.Plan(cmd.Context(), popts)
	} else {
		signer, serr := opts.sign.signer(cmd, env, ws)
		if serr != nil {
			return fmt.Errorf("loading the signer: %w", serr)
		}
		popts.Signer = signer
		progress := &progressWriter{w: env.Err, bar: isTerminal(env.Err)}
		popts.Progress = progress.event
		res, err = publish.Run(cmd.Context(), popts)
		progress.finish()
	}
	if err != nil {
		return renderFindings(env.Out, ws, err)
	}
	return renderResult(env.Out, opts.docs.globals.Output, res)
}

// progressWriter prints a line per finished subject; on a terminal a bar
// below the lines counts the subjects done (logs keep plain lines).
type progressWriter struct {
	w   io.Writer
	bar bool
}

// barWidth is how many cells the progress bar has.
const barWidth = 30

// event prints e's line, and redraws the bar under it.
func (p *progressWriter) event(e publish.Event) {
	if p.bar {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintln(p.w, progressLine(e))
	if p.bar {
		fmt.Fprint(p.w, progressBar(e.Done, e.Total, barWidth))
	}
}

// finish clears the bar.
func (p *progressWriter) finish() {
	if p.bar {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// progressBar draws done of total in width cells: "[=====>    ] 12/300".
func progressBar(done, total, width int) string {
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	cells := strings.Repeat("=", filled)
	if filled < width {
		cells += ">" + strings.Repeat(" ", width-filled-1)
	}
	return fmt.Sprintf("[%s] %*d/%d", cells, len(strconv.Itoa(total)), done, total)
}

// isTerminal reports whether w is a terminal, where publish draws a
// progress bar.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressLine renders one finished subject for stderr.
func progressLine(e publish.Event) string {
	s := e.Subject
	what := fmt.Sprintf("%s:%s %s %s", e.Product, e.Tag, where(s), short(s.Descriptor.Digest))
	switch {
	case e.Err != nil:
		return fmt.Sprintf("failed     %s: %v", what, e.Err)
	case s.Action == publish.ActionUpToDate:
		return fmt.Sprintf("up to date %s (referrer %s)", what, short(s.Referrer))
	}
	return fmt.Sprintf("pushed     %s (referrer %s)", what, short(s.Referrer))
}

// where names a subject within its release: "index" or its platform.
func where(s publish.Subject) string { return cmp.Or(s.Platform, "index") }

// subjectSummary is one subject in `-o json`.
type subjectSummary struct {
	Product       string `json:"product"`
	Tag           string `json:"tag"`
	Subject       string `json:"subject"`
	Platform      string `json:"platform,omitempty"`
	ContentDigest string `json:"content_digest"`
	Referrer      string `json:"referrer,omitempty"`
	// Status is pushed or skipped, or with --dry-run push or skipped (a
	// subject that already has the referrer).
	Status string `json:"status"`
}

// renderResult prints the plan or outcome: a line per subject, or JSON.
func renderResult(w io.Writer, output string, res *publish.Result) error {
	var sums []subjectSummary
	for _, rel := range res.Releases {
		for _, s := range rel.Subjects {
			status := string(s.Action)
			if s.Action == publish.ActionUpToDate && output == outputJSON {
				status = "skipped"
			}
			sums = append(sums, subjectSummary{Product: rel.Product, Tag: rel.Tag, Subject: s.Reference(), Platform: s.Platform,
				ContentDigest: rel.ContentDigest.String(), Referrer: s.Referrer.String(), Status: status})
		}
	}
	if output == outputJSON {
		if sums == nil {
			sums = []subjectSummary{}
		}
		b, err := json.MarshalIndent(sums, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	for _, rel := range res.Releases {
		if rel.Document == nil {
			fmt.Fprintf(w, "%-10s %s:%s (no statement is about this release)\n", "none", rel.Product, rel.Tag)
		}
		for _, s := range rel.Subjects {
			fmt.Fprintf(w, "%-10s %s:%s %s %s\n", s.Action, rel.Product, rel.Tag, where(s), s.Descriptor.Digest)
		}
	}
	return nil
}
