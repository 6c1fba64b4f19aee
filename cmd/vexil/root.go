package main

import (
	"cmp"
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Main runs vexil with args and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, &environment{In: stdin, Out: stdout, Err: stderr, Getwd: os.Getwd, Getenv: os.Getenv}, args)
}

// environment is what a command may touch of the process it runs in, so
// that tests can run every command in-process.
type environment struct {
	In       io.Reader
	Out, Err io.Writer
	// Getwd returns the working directory, against which relative paths
	// of the command line are resolved.
	Getwd func() (string, error)
	// Getenv returns an environment variable (COSIGN_PASSWORD,
	// SIGSTORE_ID_TOKEN, SOURCE_DATE_EPOCH, ...); nil is an empty
	// environment. Commands read the environment only through getenv.
	Getenv func(string) string

	// started is set once a command's RunE begins: errors before that are
	// cobra's usage errors (see markStart).
	started bool
}

// getenv returns the environment variable key, "" when unset.
func (e *environment) getenv(key string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(key)
}

// run builds the command tree, executes args and maps the outcome to an
// exit code.
func run(ctx context.Context, env *environment, args []string) int {
	root := newRootCmd(env)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return handleError(env, cmd, err)
}

// subcommands builds vexil's commands, in the order help lists them. A new
// command is one line here.
func subcommands(env *environment, g *globalOptions) []*cobra.Command {
	return []*cobra.Command{
		newInitCmd(env, g),
		newNewCmd(env, g),
		newCheckCmd(env, g),
		newBuildCmd(env, g),
		newPublishCmd(env, g),
		newPullCmd(env, g),
		newVerifyCmd(env, g),
		newDemoCmd(env, g),
		newReleasesCmd(env, g),
	}
}

// newRootCmd builds the command tree.
func newRootCmd(env *environment) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "vexil",
		Short: "Author, check, publish and pull VEX statements for container images",
		Long: `vexil takes VEX statements about container images from a git repository to
the scanners of the people who run those images: it checks them in review,
signs and publishes them as OCI 1.1 referrers of the release digests, and
pulls them back verified and merged.`,
		Version:       cmp.Or(version(), "devel"),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return g.Validate()
		},
	}
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.Err)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &usageError{err: err}
	})
	root.CompletionOptions.DisableDefaultCmd = true
	g.AddFlags(root.PersistentFlags())
	root.AddCommand(subcommands(env, g)...)
	markStart(env, root)
	return root
}

// markStart wraps the RunE of cmd and its subcommands so that env.started
// is set when one begins: cobra validates flags and arguments before that,
// and classify treats every error from then as a usage error.
func markStart(env *environment, cmd *cobra.Command) {
	if runE := cmd.RunE; runE != nil {
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			env.started = true
			return runE(cmd, args)
		}
	}
	for _, c := range cmd.Commands() {
		markStart(env, c)
	}
}
