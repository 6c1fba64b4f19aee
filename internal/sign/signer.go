package sign

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/sigstore/cosign/v2/pkg/cosign"
	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	sgsign "github.com/sigstore/sigstore-go/pkg/sign"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/kms"
	sigopts "github.com/sigstore/sigstore/pkg/signature/options"
	"google.golang.org/protobuf/encoding/protojson"

	// The KMS providers register themselves with kms.Get.
	_ "github.com/sigstore/sigstore/pkg/signature/kms/aws"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/azure"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/gcp"
	_ "github.com/sigstore/sigstore/pkg/signature/kms/hashivault"
)

// Signer signs a payload as a DSSE envelope and returns it as a sigstore
// bundle v0.3 (JSON). Implementations are safe for concurrent use.
type Signer interface {
	Sign(ctx context.Context, payloadType string, payload []byte) ([]byte, error)
}

var (
	_ Signer = (*KeySigner)(nil)
	_ Signer = (*KeylessSigner)(nil)

	_ sgsign.Keypair = (*keypair)(nil)
)

// Attest encodes the statement and signs it with s as an in-toto DSSE
// envelope; the result is a sigstore bundle v0.3 (JSON).
func Attest(ctx context.Context, s Signer, st Statement) ([]byte, error) {
	payload, err := st.Encode()
	if err != nil {
		return nil, err
	}
	return s.Sign(ctx, PayloadType, payload)
}

// kmsSchemes are the URI schemes of the KMS providers LoadKMS supports.
func kmsSchemes() []string {
	return []string{"awskms://", "gcpkms://", "azurekms://", "hashivault://"}
}

// IsKMS reports whether ref is a KMS URI (awskms://, gcpkms://, azurekms://,
// hashivault://) rather than a file path.
func IsKMS(ref string) bool {
	for _, scheme := range kmsSchemes() {
		if strings.HasPrefix(ref, scheme) {
			return true
		}
	}
	return false
}

// KeySigner signs with one private key: a cosign key pair decrypted once, or
// a KMS key. The bundle names the key by its hint, the base64 SHA-256 of the
// DER public key, as cosign does. It is safe for concurrent use.
type KeySigner struct {
	kp *keypair
}

// LoadKey decrypts a cosign private key file (PEM "ENCRYPTED SIGSTORE PRIVATE
// KEY" or "ENCRYPTED COSIGN PRIVATE KEY", what `cosign generate-key-pair`
// writes) with password. The key is decrypted once, here.
func LoadKey(ctx context.Context, path string, password []byte) (*KeySigner, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	sv, err := cosign.LoadPrivateKey(pemBytes, password, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, path, err)
	}
	kp, err := newKeypair(ctx, sv)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, path, err)
	}
	return &KeySigner{kp: kp}, nil
}

// LoadKMS returns a signer for a KMS key URI (awskms://, gcpkms://,
// azurekms://, hashivault://), through sigstore's KMS providers and their
// usual credentials. It fetches the public key once, so a key that cannot be
// reached fails here rather than at the first signature.
func LoadKMS(ctx context.Context, uri string) (*KeySigner, error) {
	sv, err := loadKMS(ctx, uri)
	if err != nil {
		return nil, err
	}
	kp, err := newKeypair(ctx, sv)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, uri, err)
	}
	return &KeySigner{kp: kp}, nil
}

func loadKMS(ctx context.Context, uri string) (signature.SignerVerifier, error) {
	if !IsKMS(uri) {
		return nil, fmt.Errorf("%w: %q is not a KMS URI (%s)", ErrKey, uri, strings.Join(kmsSchemes(), ", "))
	}
	sv, err := kms.Get(ctx, uri, crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrKey, uri, err)
	}
	return sv, nil
}

// Hint returns the key's hint: the base64 SHA-256 of its DER public key.
func (s *KeySigner) Hint() string { return string(s.kp.hint) }

// PublicKey returns the public key in PEM form, what `cosign.pub` holds.
func (s *KeySigner) PublicKey() ([]byte, error) {
	pem, err := s.kp.GetPublicKeyPem()
	return []byte(pem), err
}

// Sign signs payload as a DSSE envelope of payloadType and returns a
// sigstore bundle v0.3 whose verification material is the key's hint. Key
// signing uses no network (a KMS key asks its KMS to sign).
func (s *KeySigner) Sign(ctx context.Context, payloadType string, payload []byte) ([]byte, error) {
	b, err := sgsign.Bundle(&sgsign.DSSEData{Data: payload, PayloadType: payloadType}, s.kp, sgsign.BundleOptions{Context: ctx})
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return marshalBundle(b)
}

// marshalBundle writes a bundle as compact JSON, in protobuf field order as
// protojson would. A key-signed bundle (hint and envelope only) is written
// with encoding/json, which is several times cheaper; anything else goes
// through protojson, whose output is deliberately unstable in its white
// space, and is compacted so that the bytes are a function of the content.
func marshalBundle(b *protobundle.Bundle) ([]byte, error) {
	if out, ok := marshalKeyBundle(b); ok {
		return out, nil
	}
	raw, err := protojson.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encoding bundle: %w", err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, raw); err != nil {
		return nil, fmt.Errorf("encoding bundle: %w", err)
	}
	return out.Bytes(), nil
}

// marshalKeyBundle encodes a bundle that holds only a public key hint and a
// DSSE envelope, byte for byte as protojson plus json.Compact would; ok is
// false for any other bundle.
func marshalKeyBundle(b *protobundle.Bundle) (out []byte, ok bool) {
	vm, env := b.GetVerificationMaterial(), b.GetDsseEnvelope()
	if vm.GetPublicKey() == nil || vm.GetTlogEntries() != nil || vm.GetTimestampVerificationData() != nil || env == nil {
		return nil, false
	}
	type sig struct {
		Sig   []byte `json:"sig,omitempty"`
		KeyID string `json:"keyid,omitempty"`
	}
	type hint struct {
		Hint string `json:"hint,omitempty"`
	}
	v := struct {
		MediaType            string `json:"mediaType,omitempty"`
		VerificationMaterial struct {
			PublicKey hint `json:"publicKey"`
		} `json:"verificationMaterial"`
		DsseEnvelope struct {
			Payload     []byte `json:"payload,omitempty"`
			PayloadType string `json:"payloadType,omitempty"`
			Signatures  []sig  `json:"signatures,omitempty"`
		} `json:"dsseEnvelope"`
	}{MediaType: b.GetMediaType()}
	v.VerificationMaterial.PublicKey.Hint = vm.GetPublicKey().GetHint()
	v.DsseEnvelope.Payload, v.DsseEnvelope.PayloadType = env.GetPayload(), env.GetPayloadType()
	for _, s := range env.GetSignatures() {
		v.DsseEnvelope.Signatures = append(v.DsseEnvelope.Signatures, sig{Sig: s.GetSig(), KeyID: s.GetKeyid()})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, false
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true
}

// keypair adapts a sigstore SignerVerifier (decrypted key or KMS) to
// sigstore-go's Keypair.
type keypair struct {
	sv     signature.SignerVerifier
	pub    crypto.PublicKey
	pubPEM string
	hint   []byte
	alg    signature.AlgorithmDetails
}

func newKeypair(ctx context.Context, sv signature.SignerVerifier) (*keypair, error) {
	pub, err := sv.PublicKey(sigopts.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("reading public key: %w", err)
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	hint, err := keyHint(pub)
	if err != nil {
		return nil, err
	}
	alg, err := signature.GetDefaultAlgorithmDetails(pub, sigopts.WithED25519ph())
	if err != nil {
		return nil, fmt.Errorf("key algorithm: %w", err)
	}
	return &keypair{sv: sv, pub: pub, pubPEM: string(pubPEM), hint: []byte(hint), alg: alg}, nil
}

// keyHint is what cosign and sigstore-go put in a bundle's
// verificationMaterial.publicKey.hint: base64(SHA-256(DER public key)).
func keyHint(pub crypto.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encoding public key: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

func (k *keypair) GetHashAlgorithm() protocommon.HashAlgorithm { return k.alg.GetProtoHashType() }

func (k *keypair) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	return k.alg.GetSignatureAlgorithm()
}

func (k *keypair) GetHint() []byte { return k.hint }

func (k *keypair) GetKeyAlgorithm() string {
	switch k.alg.GetKeyType() {
	case signature.ECDSA:
		return "ECDSA"
	case signature.RSA:
		return "RSA"
	case signature.ED25519:
		return "ED25519"
	}
	return ""
}

func (k *keypair) GetPublicKey() crypto.PublicKey { return k.pub }

func (k *keypair) GetPublicKeyPem() (string, error) { return k.pubPEM, nil }

// SignData hashes data and signs the digest, so a KMS receives the digest
// only.
func (k *keypair) SignData(ctx context.Context, data []byte) ([]byte, []byte, error) {
	h := k.alg.GetHashType()
	digest := data
	opts := []signature.SignOption{sigopts.WithContext(ctx)}
	if h != crypto.Hash(0) {
		hasher := h.New()
		hasher.Write(data)
		digest = hasher.Sum(nil)
		opts = append(opts, sigopts.WithDigest(digest))
	}
	sig, err := k.sv.SignMessage(bytes.NewReader(data), opts...)
	if err != nil {
		return nil, nil, err
	}
	return sig, digest, nil
}
