package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/demo"
	"github.com/vexil-dev/vexil/internal/oci"
	"github.com/vexil-dev/vexil/internal/sign"
	"github.com/vexil-dev/vexil/vex"
)

// attestPassword is the password of the key pairs scripts make.
const attestPassword = "script"

// cmdAttest is the `attest` command of scripts; it needs `registry start`:
//
//	attest keypair NAME
//	    write NAME/cosign.key and NAME/cosign.pub
//	attest KEY REPO TAG STATUS [-day N] [-platform P] [-about P] [-type T] [-tamper] [-unsigned]
//	    push a VEX attestation of REPO:TAG (its index, or platform P)
//	    signed with KEY/cosign.key, in the shape vexil publish pushes, of a
//	    document with one statement CVE-2023-44487 STATUS dated 2026-01-N
//	    about every digest of the release. -about makes the statement name
//	    another digest (P or "index"), -type gives the statement another
//	    predicate type (the annotations still say OpenVEX), -tamper swaps
//	    the signed payload for one saying "affected", -unsigned pushes a
//	    plain in-toto statement as Docker Scout does. -keyless IDENTITY
//	    signs keylessly instead, as a CI job with an OIDC token from
//	    https://token.actions.githubusercontent.com would, through
//	    sigstore-go's in-memory Fulcio and Rekor, and writes the
//	    trusted_root.json that trusts them to KEY/trusted_root.json. Sets
//	    $ATTESTED to the referrer digest, shortened as vexil prints it.
func cmdAttest(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: attest keypair NAME | attest KEY REPO TAG STATUS [flags]")
	}
	ctx := context.Background()
	if args[0] == "keypair" {
		dir := ts.MkAbs(args[1])
		ts.Check(os.MkdirAll(dir, 0o755))
		_, _, err := demo.WriteKeyPair(dir, []byte(attestPassword))
		ts.Check(err)
		return
	}
	if len(args) < 4 {
		ts.Fatalf("usage: attest KEY REPO TAG STATUS [flags]")
	}
	fs := flag.NewFlagSet("attest", flag.ContinueOnError)
	day := fs.Int("day", 1, "day of January 2026 of the statement")
	platform := fs.String("platform", "", "attach to this platform instead of the index")
	about := fs.String("about", "", "make the statement about this platform (or index)")
	predicateType := fs.String("type", sign.DefaultPredicateType, "predicate type of the statement")
	tamper := fs.Bool("tamper", false, "swap the signed payload, keeping the signature")
	unsigned := fs.Bool("unsigned", false, "push a plain in-toto statement")
	keyless := fs.String("keyless", "", "sign keylessly as this certificate identity")
	ts.Check(fs.Parse(args[4:]))

	host := ts.Getenv("REGISTRY")
	if host == "" {
		ts.Fatalf("attest: no registry started")
	}
	repo := host + "/" + args[1]
	c := fixtureClient(ts)
	rel, err := c.Release(ctx, repo, args[2])
	ts.Check(err)
	find := func(p string) ocispec.Descriptor {
		if p == "" || p == "index" {
			return rel.Descriptor()
		}
		for _, pl := range rel.Platforms {
			if pl.String() == p {
				return pl.Descriptor()
			}
		}
		ts.Fatalf("attest: %s:%s has no platform %s", repo, args[2], p)
		return ocispec.Descriptor{}
	}
	subject := find(*platform)
	named := subject.Digest
	if *about != "" {
		named = find(*about).Digest
	}

	doc := scriptDocument(ts, rel, vex.Status(args[3]), *day)
	st := sign.Statement{Subjects: []sign.Subject{{Name: repo, Digest: named.String()}}, PredicateType: *predicateType, Predicate: doc}
	var layer []byte
	artifactType := sign.BundleMediaType
	switch {
	case *unsigned:
		layer, err = st.Encode()
		ts.Check(err)
		artifactType = oci.MediaTypeInToto
	case *keyless != "":
		payload, err := st.Encode()
		ts.Check(err)
		var root []byte
		layer, root = keylessBundle(ts, *keyless, keylessIssuer, payload)
		dir := ts.MkAbs(args[0])
		ts.Check(os.MkdirAll(dir, 0o755))
		ts.Check(os.WriteFile(filepath.Join(dir, "trusted_root.json"), root, 0o644))
	default:
		signer, err := sign.LoadKey(ctx, filepath.Join(ts.MkAbs(args[0]), demo.KeyFile), []byte(attestPassword))
		ts.Check(err)
		layer, err = sign.Attest(ctx, signer, st)
		ts.Check(err)
	}
	if *tamper {
		forged := st
		forged.Predicate = scriptDocument(ts, rel, vex.StatusAffected, *day)
		payload, err := forged.Encode()
		ts.Check(err)
		var b map[string]any
		ts.Check(json.Unmarshal(layer, &b))
		b["dsseEnvelope"].(map[string]any)["payload"] = payload
		layer, err = json.Marshal(b)
		ts.Check(err)
	}
	ann := map[string]string{
		oci.AnnotationPredicateType:        sign.DefaultPredicateType,
		oci.AnnotationBundlePredicateType:  sign.DefaultPredicateType,
		"org.opencontainers.image.created": fmt.Sprintf("2026-01-%02dT12:00:00Z", *day),
	}
	desc, err := c.PushReferrer(ctx, repo, subject, artifactType, layer, artifactType, ann)
	ts.Check(err)
	ts.Setenv("ATTESTED", short(desc.Digest))
}

// scriptDocument returns the canonical document of rel with one statement.
func scriptDocument(ts *testscript.TestScript, rel oci.Release, status vex.Status, day int) []byte {
	s := vex.Statement{Vulnerability: "CVE-2023-44487", Status: status, Timestamp: time.Date(2026, 1, day, 12, 0, 0, 0, time.UTC)}
	switch status {
	case vex.StatusNotAffected:
		s.Justification = "vulnerable_code_not_in_execute_path"
	case vex.StatusAffected:
		s.ActionStatement = "Upgrade to 2.19.2."
	}
	var platforms []digest.Digest
	for _, p := range rel.Platforms {
		platforms = append(platforms, p.Digest)
	}
	doc, err := vex.Build(vex.BuildOptions{IDPrefix: "https://vex.example.com", Author: "Example Security <security@example.com>"},
		vex.Release{Product: "proxy", Repository: rel.Repository, Tag: rel.Tag, Index: rel.Digest, Platforms: platforms}, []vex.Statement{s})
	ts.Check(err)
	b, err := vex.Canonical(doc)
	ts.Check(err)
	return b
}

// keylessIssuer is the OIDC issuer of `attest -keyless`: GitHub Actions'.
const keylessIssuer = "https://token.actions.githubusercontent.com"

// keylessBundle signs an in-toto statement keylessly with sigstore-go's
// in-memory Fulcio and Rekor (cosigntest.KeylessBundle) and returns the
// sigstore bundle and a trusted_root.json that trusts them.
func keylessBundle(ts *testscript.TestScript, identity, issuer string, statement []byte) (bundle, trustedRoot []byte) {
	bundle, trustedRoot, err := cosigntest.KeylessBundle(identity, issuer, statement)
	ts.Check(err)
	return bundle, trustedRoot
}
