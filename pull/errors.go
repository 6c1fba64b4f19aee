package pull

import "errors"

// Sentinel errors, for errors.Is. Errors returned by this package wrap them
// and name the operand.
var (
	// ErrReference reports an image reference that cannot be parsed.
	ErrReference = errors.New("invalid image reference")
	// ErrNoPlatform reports a --platform the image does not have.
	ErrNoPlatform = errors.New("no such platform")
	// ErrNoAttestations reports an image without any VEX attestation.
	ErrNoAttestations = errors.New("no VEX attestations")
	// ErrNoneAccepted reports an image whose VEX attestations all failed
	// verification: there is nothing left to merge.
	ErrNoneAccepted = errors.New("no VEX attestation passed verification")
	// ErrNotOpenVEX is the reason given for an attestation whose signed
	// statement has a predicate type other than OpenVEX.
	ErrNotOpenVEX = errors.New("predicate type is not OpenVEX")
	// ErrNoLayer is the reason given for a referrer manifest that holds no
	// attestation layer.
	ErrNoLayer = errors.New("no attestation layer")
	// ErrUnverified reports options that neither name whom to trust nor
	// allow unsigned attestations.
	ErrUnverified = errors.New("verification needs a key or a certificate identity")
)
