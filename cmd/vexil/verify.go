package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/pull"
)

// verifyOptions are the inputs of `vexil verify`.
type verifyOptions struct {
	env      *environment
	globals  *globalOptions
	trust    trustFlags
	registry registryOptions

	Image string
}

// newVerifyCmd builds `vexil verify`.
func newVerifyCmd(env *environment, g *globalOptions) *cobra.Command {
	opts := &verifyOptions{env: env, globals: g}
	cmd := &cobra.Command{
		Use:   "verify IMAGE[:TAG|@DIGEST] (--key K | --certificate-identity ... | --allow-unsigned)",
		Short: "List every VEX attestation of an image and whether it verifies",
		Long: `Find every VEX attestation of an image, as pull does, and print one row
per attestation: the referrer, the digest it is attached to, its predicate
type, its signer, how many statements it holds, and whether it verifies or
why not. -o json prints the same as a JSON array.

Exit status: 0 every attestation verifies, 1 one fails or there are none.`,
		Example: `  vexil verify registry.example.com/acme/proxy:2.19.1 --key cosign.pub
  vexil verify registry.example.com/acme/proxy:2.19.1 --key cosign.pub -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Image = args[0]
			return runVerify(cmd, opts)
		},
	}
	opts.trust.AddFlags(cmd.Flags())
	opts.registry.AddFlags(cmd.Flags())
	return cmd
}

// verifyRow is one attestation as `verify -o json` prints it.
type verifyRow struct {
	Referrer      string `json:"referrer"`
	Layer         string `json:"layer,omitempty"`
	Subject       string `json:"subject"`
	Platform      string `json:"platform,omitempty"`
	Source        string `json:"source"`
	Format        string `json:"format,omitempty"`
	PredicateType string `json:"predicateType,omitempty"`
	Signer        string `json:"signer,omitempty"`
	Statements    int    `json:"statements"`
	Verified      bool   `json:"verified"`
	Accepted      bool   `json:"accepted"`
	Error         string `json:"error,omitempty"`
}

// runVerify discovers and verifies, and prints the table.
func runVerify(cmd *cobra.Command, opts *verifyOptions) error {
	in, err := consume(opts.env, opts.globals, &opts.trust, &opts.registry, opts.Image)
	if err != nil {
		return err
	}
	ref := in.ref
	res, err := pull.Discover(cmd.Context(), in.client, ref, in.opts)
	if err != nil {
		return pullError(err)
	}
	rows := make([]verifyRow, 0, len(res.Attestations))
	for _, a := range res.Attestations {
		r := verifyRow{
			Referrer: a.Manifest.String(), Layer: a.Layer.String(), Subject: a.Subject.String(),
			Platform: a.Platform, Source: string(a.Source), Format: string(a.Format),
			PredicateType: a.PredicateType, Signer: a.Signer, Statements: a.Statements(),
			Verified: a.Verified, Accepted: a.Accepted(),
		}
		if a.Subject == res.Image.Index {
			r.Platform = "index"
		}
		if a.Err != nil {
			r.Error = reason(a.Err)
		}
		rows = append(rows, r)
	}
	if opts.globals.Output == outputJSON {
		enc := json.NewEncoder(opts.env.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return err
		}
	} else if len(rows) > 0 {
		tw := tabwriter.NewWriter(opts.env.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "REFERRER\tSUBJECT\tPLATFORM\tPREDICATE TYPE\tSIGNER\tSTATEMENTS\tRESULT")
		for _, r := range rows {
			result := "verified"
			switch {
			case r.Error != "":
				result = "FAILED: " + r.Error
			case !r.Verified:
				result = "accepted unsigned"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", short(r.Referrer), short(r.Subject),
				r.Platform, orDash(r.PredicateType), orDash(r.Signer), r.Statements, result)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	failed := len(res.Rejected())
	switch {
	case len(rows) == 0:
		return &findingsError{msg: fmt.Sprintf("%s: %v", ref, pull.ErrNoAttestations)}
	case failed > 0:
		return &findingsError{msg: fmt.Sprintf("%s: %d of %d VEX attestations failed verification", ref, failed, len(rows))}
	}
	fmt.Fprintf(opts.env.Err, "%s: %d VEX attestations, all verified\n", ref, len(rows))
	return nil
}

// orDash returns s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
