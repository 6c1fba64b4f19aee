package cosigntest

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
	"github.com/sigstore/sigstore-go/pkg/tlog"
	"google.golang.org/protobuf/encoding/protojson"
)

// bundleMediaType is the sigstore bundle v0.3 media type (internal/sign's
// BundleMediaType; not imported, since sign's tests import this package).
const bundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// KeylessBundle signs an in-toto statement as a keyless attestation with
// sigstore-go's in-memory Fulcio and Rekor (ca.VirtualSigstore), and returns
// the sigstore bundle JSON and a trusted_root.json trusting that Fulcio and
// Rekor: the whole keyless path, offline.
func KeylessBundle(identity, issuer string, statement []byte) (bundle, trustedRoot []byte, err error) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		return nil, nil, fmt.Errorf("starting the virtual sigstore: %w", err)
	}
	entity, err := vs.AttestAtTime(identity, issuer, statement, time.Now().Add(5*time.Minute), true)
	if err != nil {
		return nil, nil, fmt.Errorf("attesting: %w", err)
	}
	vc, err := entity.VerificationContent()
	if err != nil {
		return nil, nil, err
	}
	sc, err := entity.SignatureContent()
	if err != nil {
		return nil, nil, err
	}
	entries, err := entity.TlogEntries()
	if err != nil {
		return nil, nil, err
	}
	env := sc.EnvelopeContent().RawEnvelope()
	payload, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding the payload: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(env.Signatures[0].Sig)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding the signature: %w", err)
	}
	// A bundle's log entry names its kind and version, which the virtual
	// Rekor leaves in the entry's body.
	tle := entries[0].TransparencyLogEntry()
	var body struct {
		Kind       string `json:"kind"`
		APIVersion string `json:"apiVersion"`
	}
	if err := json.Unmarshal(tle.GetCanonicalizedBody(), &body); err != nil {
		return nil, nil, fmt.Errorf("reading the log entry body: %w", err)
	}
	tle.KindVersion = &protorekor.KindVersion{Kind: body.Kind, Version: body.APIVersion}
	// ... and the signed entry timestamp (the integrated time keyless
	// verification relies on), which the virtual Rekor signs on request.
	set, err := vs.RekorSignPayload(tlog.RekorPayload{
		Body:           base64.StdEncoding.EncodeToString(tle.GetCanonicalizedBody()),
		IntegratedTime: tle.GetIntegratedTime(), LogIndex: tle.GetLogIndex(), LogID: hex.EncodeToString(tle.GetLogId().GetKeyId()),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("signing the entry timestamp: %w", err)
	}
	tle.InclusionPromise = &protorekor.InclusionPromise{SignedEntryTimestamp: set}
	bundle, err = protojson.Marshal(&protobundle.Bundle{
		MediaType: bundleMediaType,
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content:     &protobundle.VerificationMaterial_Certificate{Certificate: &protocommon.X509Certificate{RawBytes: vc.Certificate().Raw}},
			TlogEntries: []*protorekor.TransparencyLogEntry{tle},
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload: payload, PayloadType: env.PayloadType, Signatures: []*protodsse.Signature{{Sig: sig}},
		}},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the bundle: %w", err)
	}
	// No CT logs: the virtual Fulcio embeds no SCTs. The virtual log is
	// keyed by its hex key ID; a trusted root holds the raw bytes.
	logs := map[string]*root.TransparencyLog{}
	for id, l := range vs.RekorLogs() {
		if l.ID, err = hex.DecodeString(id); err != nil {
			return nil, nil, fmt.Errorf("decoding log id %s: %w", id, err)
		}
		logs[id] = l
	}
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, vs.FulcioCertificateAuthorities(), nil, vs.TimestampingAuthorities(), logs)
	if err != nil {
		return nil, nil, fmt.Errorf("building the trusted root: %w", err)
	}
	if trustedRoot, err = tr.MarshalJSON(); err != nil {
		return nil, nil, fmt.Errorf("encoding the trusted root: %w", err)
	}
	return bundle, trustedRoot, nil
}
