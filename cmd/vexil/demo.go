package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/internal/demo"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/statements"
)

// demoOptions are the inputs of `vexil demo`.
type demoOptions struct {
	env     *environment
	globals *globalOptions

	Keep bool
	Addr string
}

// newDemoCmd builds `vexil demo`.
func newDemoCmd(env *environment, g *globalOptions) *cobra.Command {
	opts := &demoOptions{env: env, globals: g}
	cmd := &cobra.Command{
		Use:   "demo [--keep]",
		Short: "Run the whole workflow on an embedded registry, in seconds",
		Long: `Start an in-memory OCI registry on a loopback port, push a sample
multi-arch release with SBOM referrers, and run vexil's own commands on a
throwaway git repository and a key made on the fly: init, new, check
(against the SBOMs), publish, verify and pull. Each command and its output
is printed on stdout; nothing needs more than Go, and nothing is left
behind.

With --keep the registry and the files stay until Ctrl-C, and the demo
prints commands to try against them with cosign, oras, regctl, grype and
trivy.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDemo(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Keep, "keep", false, "keep the registry and files until Ctrl-C, and print commands to try")
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:0", "loopback `HOST:PORT` of the registry (port 0: any free port)")
	return cmd
}

// Fixed inputs of the demo, so that its documents are the same on every
// run (only the key, and so the signatures, differ).
const (
	demoRepository = "acme/proxy"
	demoTag        = "2.19.1"
	demoPassword   = "demo"
)

var (
	demoAuthor = demo.Author{Name: "Acme Security", Email: "security@acme.example"}
	demoFirst  = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	demoSecond = time.Date(2026, 1, 12, 16, 30, 0, 0, time.UTC)
)

// demoRun is one run of the demo: where it works and what it shows.
type demoRun struct {
	ctx  context.Context
	opts *demoOptions
	out  io.Writer // the show: commands and their output
	log  io.Writer // progress
	tmp  string    // everything the demo writes
	repo string    // the VEX repository, a git work tree under tmp
	reg  *demo.Registry
	n    int
}

// runDemo runs every step and cleans up.
func runDemo(ctx context.Context, opts *demoOptions) (err error) {
	start := time.Now()
	d := &demoRun{ctx: ctx, opts: opts, out: opts.env.Out, log: opts.env.Err}
	if d.tmp, err = os.MkdirTemp("", "vexil-demo-"); err != nil {
		return fmt.Errorf("creating the demo directory: %w", err)
	}
	defer func() {
		if rerr := os.RemoveAll(d.tmp); rerr != nil && err == nil {
			err = fmt.Errorf("removing the demo directory: %w", rerr)
		}
	}()
	d.repo = filepath.Join(d.tmp, "vex")
	if err := os.Mkdir(d.repo, 0o755); err != nil {
		return fmt.Errorf("creating the demo repository: %w", err)
	}
	if d.reg, err = demo.StartRegistry(opts.Addr); err != nil {
		return &usageError{err: fmt.Errorf("--addr: %w", err)}
	}
	defer func() {
		if cerr := d.reg.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("stopping the demo registry: %w", cerr)
		}
	}()
	fmt.Fprintf(d.log, "vexil demo: registry on %s, files in %s\n", d.reg.Host, d.tmp)

	for _, step := range []func() error{d.release, d.author, d.check, d.publish, d.triage, d.verify, d.pull} {
		if err := step(); err != nil {
			return err
		}
	}
	fmt.Fprintf(d.out, "\nDone in %.1fs: two signed documents were published over time, and pull\n"+
		"merged them into the latest statement per vulnerability, so grype (which\n"+
		"applies the oldest matching statement) and trivy (the latest) agree.\n\n",
		time.Since(start).Seconds())
	if opts.Keep {
		return d.keep()
	}
	fmt.Fprintln(d.out, "Everything the demo made is gone again. To keep the registry up and try\n"+
		"cosign, oras, regctl, grype or trivy against it, run the demo with --keep.")
	return nil
}

// title prints the heading of the next step.
func (d *demoRun) title(s string) {
	d.n++
	fmt.Fprintf(d.out, "\n== %d. %s\n", d.n, s)
}

// vexil runs one vexil command in-process in the VEX repository, printing
// it, its output and its progress.
func (d *demoRun) vexil(args ...string) error { return d.vexilEnv("", d.out, args...) }

// vexilEnv is vexil for a command shown with environment variables
// (vars, "NAME=value ..."): the command's environment holds those alone.
// Its stderr goes to progress: the show, or the demo's own log where the
// command's stdout already says what it did.
func (d *demoRun) vexilEnv(vars string, progress io.Writer, args ...string) error {
	shown := vars
	if shown != "" {
		shown += " "
	}
	fmt.Fprintf(d.out, "$ %svexil %s\n", shown, quoteArgs(args))
	env := &environment{In: strings.NewReader(""), Out: d.out, Err: progress, Getwd: func() (string, error) { return d.repo, nil },
		Getenv: envOf(vars)}
	if code := run(d.ctx, env, args); code != exitOK {
		return fmt.Errorf("demo step `vexil %s` exited %d", quoteArgs(args), code)
	}
	return nil
}

// envOf returns a Getenv that knows vars ("NAME=value ...") and nothing
// else.
func envOf(vars string) func(string) string {
	m := map[string]string{}
	for _, kv := range strings.Fields(vars) {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return func(key string) string { return m[key] }
}

// cache returns the registry cache of the demo's commands, inside the
// demo directory so that nothing is left behind.
func (d *demoRun) cache() string { return filepath.Join(d.tmp, "cache") }

// image returns the sample release's reference.
func (d *demoRun) image() string { return d.reg.Ref(demoRepository) + ":" + demoTag }

// client returns a client of the demo registry that caches nothing.
func (d *demoRun) client() (*oci.Client, error) {
	return oci.New(oci.Options{PlainHTTP: true, NoCache: true, Anonymous: true})
}

// release pushes the sample release.
func (d *demoRun) release() error {
	d.title("A release: a multi-arch image with SBOM referrers")
	c, err := d.client()
	if err != nil {
		return err
	}
	rel, err := demo.PushSample(d.ctx, c, d.reg.Ref(demoRepository), demoTag)
	if err != nil {
		return fmt.Errorf("pushing the sample release: %w", err)
	}
	fmt.Fprintf(d.out, "pushed %s\n  index        %s\n", d.image(), rel.Digest)
	for _, p := range rel.Platforms {
		fmt.Fprintf(d.out, "  %-12s %s  SBOM referrer %s\n", p.Platform, p.Digest, short(p.SBOM))
	}
	fmt.Fprintf(d.out, "the SBOMs list %s\n", strings.Join(demo.Packages(), ", "))
	return nil
}

// author starts the VEX repository and writes the first statements.
func (d *demoRun) author() error {
	d.title("A VEX repository: vexil init, then two statements with vexil new")
	if _, _, err := demo.WriteKeyPair(d.tmp, []byte(demoPassword)); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "generated a cosign key pair: ../%s, ../%s (password %q)\n", demo.KeyFile, demo.PublicKeyFile, demoPassword)
	if err := d.vexil("init"); err != nil {
		return err
	}
	config := fmt.Sprintf(`author: %s <%s>
id_prefix: https://vex.acme.example
products:
  proxy:
    repository: %s
    tags: ["2.19.*"]
publish:
  predicate_type: https://openvex.dev/ns/v0.2.0
  subjects: [index, platforms]
`, demoAuthor.Name, demoAuthor.Email, d.reg.Ref(demoRepository))
	if err := os.WriteFile(filepath.Join(d.repo, statements.ConfigFileName), []byte(config), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "# point vexil.yaml at the demo registry:\n%s", indent(config))
	if err := d.vexil("new", "CVE-2023-44487", "--product", "proxy", "--status", "under_investigation",
		"--alias", "GHSA-qppj-fm5r-hxr3", "--alias", "GO-2023-2102",
		"--subcomponent", "pkg:golang/golang.org/x/net@v0.17.0"); err != nil {
		return err
	}
	if err := d.vexil("new", "CVE-2023-45288", "--product", "proxy", "--status", "affected",
		"--alias", "GO-2024-2687", "--subcomponent", "pkg:golang/golang.org/x/net@v0.17.0",
		"--action-statement", "Upgrade to 2.19.2, built with golang.org/x/net v0.23.0."); err != nil {
		return err
	}
	return d.commit("Triage: CVE-2023-44487 under investigation, CVE-2023-45288 affected", demoFirst)
}

// commit commits the repository and says so.
func (d *demoRun) commit(message string, when time.Time) error {
	a := demoAuthor
	a.When = when
	hash, err := demo.Commit(d.repo, message, a)
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "$ git commit -m %q   # %s, at %s\n", message, hash[:12], when.Format(time.RFC3339))
	return nil
}

// check runs vexil check against the SBOMs.
func (d *demoRun) check() error {
	d.title("Review: vexil check validates the statements, and their subcomponents against the SBOMs")
	return d.vexil("check", "--plain-http", "--cache-dir", d.cache())
}

// publish signs and pushes the documents of the current commit.
func (d *demoRun) publish() error {
	d.title("Release time: publish signs one document per release and attaches it to each digest")
	return d.publishNow()
}

// publishNow runs vexil publish with the demo key, whose password publish
// reads from COSIGN_PASSWORD in the command's environment (the process's
// own is left alone). Its progress lines, in the order the pushes finish,
// go to the log: its stdout lists the same subjects in order.
func (d *demoRun) publishNow() error {
	return d.vexilEnv("COSIGN_PASSWORD="+demoPassword, d.log, "publish", "--plain-http", "--key", "../"+demo.KeyFile, "--cache-dir", d.cache())
}

// triage changes a statement, commits and publishes again.
func (d *demoRun) triage() error {
	d.title("A week later: CVE-2023-44487 is not_affected; commit and publish again")
	path := filepath.Join(d.repo, "statements", "proxy", "CVE-2023-44487.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated := strings.Replace(string(data), "status: under_investigation\n",
		"status: not_affected\njustification: vulnerable_code_not_in_execute_path\n"+
			"impact_statement: The proxy serves HTTP/1.1 only; its HTTP/2 server is never started.\n", 1)
	if updated == string(data) {
		return fmt.Errorf("demo: %s has no under_investigation status to change", path)
	}
	if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "# statements/proxy/CVE-2023-44487.yaml now says:\n%s", indent(updated))
	if err := d.commit("CVE-2023-44487: not affected, HTTP/2 is off", demoSecond); err != nil {
		return err
	}
	return d.publishNow()
}

// verify lists every attestation of the release.
func (d *demoRun) verify() error {
	d.title("Consumers: vexil verify lists every VEX attestation and its signer")
	return d.vexil("verify", d.image(), "--plain-http", "--key", "../"+demo.PublicKeyFile, "--cache-dir", d.cache())
}

// pull merges the verified documents.
func (d *demoRun) pull() error {
	d.title("Consumers: vexil pull verifies and merges them into one document for grype --vex / trivy --vex")
	return d.vexil("pull", d.image(), "--plain-http", "--key", "../"+demo.PublicKeyFile, "--cache-dir", d.cache())
}

// keep prints commands to try and waits for Ctrl-C.
func (d *demoRun) keep() error {
	img, pub := d.image(), filepath.Join(d.tmp, demo.PublicKeyFile)
	root := filepath.Join(d.tmp, "trusted_root.json")
	if err := os.WriteFile(root, []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(d.out, `
The registry stays up on %[1]s until Ctrl-C. Try:

  cd %[4]s
  go run ./cmd/vexil pull %[2]s --plain-http --key %[3]s -o proxy.openvex.json
  go run ./cmd/vexil verify %[2]s --plain-http --key %[3]s -o json
  oras discover --plain-http %[2]s
  regctl registry set --tls disabled %[1]s && regctl artifact list %[2]s
  cosign verify-attestation --key %[3]s --insecure-ignore-tlog --allow-http-registry \
    --new-bundle-format --trusted-root %[5]s --type https://openvex.dev/ns/v0.2.0 %[2]s
  grype registry:%[2]s --vex proxy.openvex.json
  trivy image --image-src remote --insecure --vex proxy.openvex.json %[2]s
(the sample image's layers are random bytes, so scanners find no packages in
them; their VEX matching is what to watch. Both scanners speak plain HTTP to
127.0.0.1 on their own.)
`, d.reg.Host, img, pub, mustGetwd(d.opts.env), root)
	<-d.ctx.Done()
	fmt.Fprintln(d.log, "vexil demo: stopping the registry and removing", d.tmp)
	return nil
}

// mustGetwd returns the working directory, or "." if it is unknown.
func mustGetwd(env *environment) string {
	wd, err := env.Getwd()
	if err != nil {
		return "."
	}
	return wd
}

// indent indents every line of s by two spaces.
func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "  " + l
		}
	}
	return strings.Join(lines, "")
}

// quoteArgs renders args as a shell would need them.
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'$*?[]<>|&;()") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return strings.Join(out, " ")
}
