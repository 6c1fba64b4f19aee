package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vexil-dev/vexil/internal/inventory"
	"github.com/vexil-dev/vexil/internal/report"
	"github.com/vexil-dev/vexil/internal/sbom"
)

// releasesOptions are the inputs of `vexil releases`.
type releasesOptions struct {
	env      *environment
	globals  *globalOptions
	registry registryOptions

	Products []string
}

// newReleasesCmd builds `vexil releases`.
func newReleasesCmd(env *environment, g *globalOptions) *cobra.Command {
	opts := &releasesOptions{env: env, globals: g}
	cmd := &cobra.Command{
		Use:   "releases",
		Short: "List the releases of each product, their digests and SBOMs",
		Long: `List, for each product of vexil.yaml (or only those given with --product),
the tags of its repository that match its tag globs: the index digest, each
platform with its manifest digest, and each platform's SBOM — where it was
found (referrers API, referrers tag schema or BuildKit attestation), its
format and how many packages it lists.

Digests are shortened in the table; -o json gives them whole.`,
		Example: `  vexil releases
  vexil releases --product proxy -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReleases(cmd, opts)
		},
	}
	cmd.Flags().StringSliceVar(&opts.Products, "product", nil, "list only this `product` (repeatable)")
	opts.registry.AddFlags(cmd.Flags())
	return cmd
}

// runReleases loads the inventory and prints it on stdout.
func runReleases(cmd *cobra.Command, opts *releasesOptions) error {
	if err := opts.registry.Validate(); err != nil {
		return err
	}
	ws, err := openWorkspace(opts.env, opts.globals, opts.env.Err, report.Text)
	if err != nil {
		return err
	}
	for _, p := range opts.Products {
		if _, ok := ws.Config.Products[p]; !ok {
			names := make([]string, 0, len(ws.Config.Products))
			for n := range ws.Config.Products {
				names = append(names, n)
			}
			slices.Sort(names)
			return usageErrorf("--product %s: no such product in %s (products: %v)", p, ws.display(ws.Config.File), names)
		}
	}
	client, err := opts.registry.client(opts.env, opts.globals)
	if err != nil {
		return err
	}
	inv, err := loadInventory(cmd.Context(), client, ws.Config, slices.Clone(opts.Products), true, opts.registry.inventoryOptions(opts.env.Err))
	if err != nil {
		return err
	}
	if opts.globals.Output == outputJSON {
		enc := json.NewEncoder(opts.env.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(inv)
	}
	if err := writeReleases(opts.env.Out, inv); err != nil {
		return err
	}
	for _, pr := range inv {
		switch {
		case pr.Missing:
			fmt.Fprintf(opts.env.Err, "%s: the registry has no repository %s\n", pr.Product, pr.Repository)
		case len(pr.Releases) == 0:
			fmt.Fprintf(opts.env.Err, "%s: no tag of %s matches %s\n", pr.Product, pr.Repository, strings.Join(pr.Tags, ", "))
		}
		for _, rel := range pr.Releases {
			for _, p := range rel.Platforms {
				for _, s := range p.SBOMs {
					if s.Error != nil {
						fmt.Fprintf(opts.env.Err, "%s %s %s: %v\n", pr.Product, rel.Tag, p.Platform, s.Error)
					}
				}
			}
		}
	}
	return nil
}

// writeReleases renders the inventory as a table, one line per SBOM (or
// per platform without one).
func writeReleases(w io.Writer, inv []inventory.Releases) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PRODUCT\tTAG\tDIGEST\tPLATFORM\tPLATFORM DIGEST\tSBOM SOURCE\tFORMAT\tPACKAGES")
	for _, pr := range inv {
		for _, rel := range pr.Releases {
			for _, p := range rel.Platforms {
				row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t", pr.Product, rel.Tag, abbrevDigest(rel.Digest.String()), p.Platform, abbrevDigest(p.Digest.String()))
				if len(p.SBOMs) == 0 {
					fmt.Fprintf(tw, "%s-\t-\t-\n", row)
				}
				for _, s := range p.SBOMs {
					format, packages := s.Format, strconv.Itoa(s.Packages)
					if s.Wrapper != "" {
						format += " (" + s.Wrapper + ")"
					}
					switch {
					case errors.Is(s.Error, sbom.ErrUnsupportedFormat):
						format, packages = s.Format+" (unsupported)", "-"
					case !s.Readable():
						format, packages = s.Format+" (unreadable)", "-"
					}
					source := string(s.Source)
					if s.Index {
						source += " (index)"
					}
					fmt.Fprintf(tw, "%s%s\t%s\t%s\n", row, source, format, packages)
				}
			}
		}
	}
	return tw.Flush()
}
