package sign

import "errors"

// Sentinel errors, for errors.Is. Every error returned by this package that
// fits one of them wraps it.
var (
	// ErrFormat reports input that is neither a sigstore bundle, a DSSE
	// envelope nor an in-toto statement, or that is malformed or truncated.
	ErrFormat = errors.New("malformed attestation")
	// ErrNoSignature reports an attestation that carries no signature at all
	// (a plain in-toto statement, or a DSSE envelope without signatures).
	ErrNoSignature = errors.New("attestation is not signed")
	// ErrPayloadType reports a DSSE envelope whose payload is not an in-toto
	// statement.
	ErrPayloadType = errors.New("unexpected DSSE payload type")
	// ErrSignature reports a signature that does not verify with the given
	// key: the content was changed or another key signed it.
	ErrSignature = errors.New("signature does not verify")
	// ErrIdentity reports a keyless signature whose certificate does not
	// match the expected identity and issuer, or an attestation that has no
	// certificate where one is required.
	ErrIdentity = errors.New("signer identity does not match")
	// ErrVerification reports a verification failure other than the
	// signature itself: transparency log, timestamps, certificate chain.
	ErrVerification = errors.New("attestation verification failed")
	// ErrStatement reports a signed payload that is not a valid in-toto
	// statement, or statement input that cannot be encoded.
	ErrStatement = errors.New("invalid in-toto statement")
	// ErrSubject reports a statement whose subjects do not include the digest
	// the attestation is attached to.
	ErrSubject = errors.New("statement subject does not match")
	// ErrKey reports a signing or verification key that cannot be loaded:
	// unreadable file, wrong password, unknown KMS scheme, KMS failure.
	ErrKey = errors.New("cannot load key")
	// ErrOptions reports invalid or contradictory options.
	ErrOptions = errors.New("invalid signing options")
	// ErrNoIDToken reports that keyless signing found no OIDC token, neither
	// given, nor in SIGSTORE_ID_TOKEN, nor from the CI's ambient credentials.
	ErrNoIDToken = errors.New("no OIDC identity token")
)
