package sign_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vexil-dev/vexil/internal/cosigntest"
	"github.com/vexil-dev/vexil/internal/sign"
)

const (
	repo     = "registry.example.com/acme/proxy"
	digestA  = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	digestB  = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	password = "correct horse"
)

// document is a small OpenVEX document with characters json.Marshal would
// escape (<, >, &) and insignificant white space, which must survive.
const document = `{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://vex.example.com/proxy/1/abc",
  "author": "Example Security <security@example.com>",
  "version": 1,
  "statements": [{"vulnerability": {"name": "CVE-2023-44487"}, "status": "not_affected", "impact_statement": "a & b"}]
}`

func statement(digest string) sign.Statement {
	return sign.Statement{
		Subjects:      []sign.Subject{{Name: repo, Digest: digest}},
		PredicateType: sign.DefaultPredicateType,
		Predicate:     []byte(document + "\n"),
	}
}

func TestStatementEncode(t *testing.T) {
	got, err := statement(digestA).Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"registry.example.com/acme/proxy","digest":{"sha256":"1111111111111111111111111111111111111111111111111111111111111111"}}],"predicateType":"https://openvex.dev/ns/v0.2.0","predicate":` + document + `}`
	if string(got) != want {
		t.Errorf("Encode:\ngot  %s\nwant %s", got, want)
	}
	again, _ := statement(digestA).Encode()
	if !bytes.Equal(got, again) {
		t.Errorf("Encode is not deterministic")
	}
	parsed, err := sign.ParseStatement(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(parsed.Predicate) != document {
		t.Errorf("predicate round trip:\ngot  %s\nwant %s", parsed.Predicate, document)
	}
	if parsed.PredicateType != sign.DefaultPredicateType || !slices.Equal(parsed.Subjects, []sign.Subject{{Name: repo, Digest: digestA}}) {
		t.Errorf("ParseStatement = %+v", parsed)
	}
}

func TestStatementEncodeErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*sign.Statement)
		want string
	}{
		{"no subject", func(s *sign.Statement) { s.Subjects = nil }, "invalid in-toto statement: no subject"},
		{"no predicate type", func(s *sign.Statement) { s.PredicateType = "" }, "invalid in-toto statement: empty predicate type"},
		{"predicate not an object", func(s *sign.Statement) { s.Predicate = []byte(`[1]`) }, "invalid in-toto statement: predicate is not a JSON object"},
		{"predicate truncated", func(s *sign.Statement) { s.Predicate = []byte(`{"a":`) }, "invalid in-toto statement: predicate is not a JSON object"},
		{"digest without algorithm", func(s *sign.Statement) { s.Subjects[0].Digest = "1111" }, `invalid in-toto statement: digest "1111" is not sha256:<hex> or sha512:<hex>`},
		{"short digest", func(s *sign.Statement) { s.Subjects[0].Digest = "sha256:abc" }, `invalid in-toto statement: digest "sha256:abc" has no 64 lowercase hex digits`},
		{"upper-case digest", func(s *sign.Statement) { s.Subjects[0].Digest = strings.ToUpper(digestA[7:]) + "" }, `invalid in-toto statement: digest "` + digestA[7:] + `" is not sha256:<hex> or sha512:<hex>`},
		{"no name", func(s *sign.Statement) { s.Subjects[0].Name = "" }, "invalid in-toto statement: subject " + digestA + " has no name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := statement(digestA)
			tt.edit(&st)
			_, err := st.Encode()
			if !errors.Is(err, sign.ErrStatement) || err.Error() != tt.want {
				t.Errorf("Encode error = %v, want %q (ErrStatement)", err, tt.want)
			}
		})
	}
}

func TestCheckSubject(t *testing.T) {
	st := statement(digestA)
	if err := st.CheckSubject(digestA); err != nil {
		t.Errorf("CheckSubject(A) = %v, want nil", err)
	}
	err := st.CheckSubject(digestB)
	want := "statement subject does not match: attached to " + digestB + ", statement is about [" + digestA + "]"
	if !errors.Is(err, sign.ErrSubject) || err.Error() != want {
		t.Errorf("CheckSubject(B) = %v, want %q", err, want)
	}
}

// keyPair writes a cosign key pair with cosign's library and loads it.
func keyPair(t testing.TB) (*sign.KeySigner, string) {
	t.Helper()
	keyPath, pubPath := cosigntest.WriteKeyPair(t, t.TempDir(), password)
	s, err := sign.LoadKey(context.Background(), keyPath, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	return s, pubPath
}

// bundleJSON is the shape of what KeySigner writes, field by field.
type bundleJSON struct {
	MediaType            string `json:"mediaType"`
	VerificationMaterial struct {
		PublicKey struct {
			Hint string `json:"hint"`
		} `json:"publicKey"`
	} `json:"verificationMaterial"`
	DsseEnvelope struct {
		Payload     []byte `json:"payload"`
		PayloadType string `json:"payloadType"`
		Signatures  []struct {
			Sig []byte `json:"sig"`
		} `json:"signatures"`
	} `json:"dsseEnvelope"`
}

func TestSignBundleShape(t *testing.T) {
	ctx := context.Background()
	signer, pubPath := keyPair(t)
	bundle, err := sign.Attest(ctx, signer, statement(digestA))
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(bundle, &top); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range top {
			if !yield(k) {
				return
			}
		}
	})
	if want := []string{"dsseEnvelope", "mediaType", "verificationMaterial"}; !slices.Equal(keys, want) {
		t.Errorf("bundle keys = %v, want %v", keys, want)
	}
	if want := `{"publicKey":{"hint":"` + signer.Hint() + `"}}`; string(top["verificationMaterial"]) != want {
		t.Errorf("verificationMaterial = %s, want %s", top["verificationMaterial"], want)
	}
	var b bundleJSON
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	wantPayload, _ := statement(digestA).Encode()
	if b.MediaType != sign.BundleMediaType {
		t.Errorf("mediaType = %q, want %q", b.MediaType, sign.BundleMediaType)
	}
	if b.DsseEnvelope.PayloadType != sign.PayloadType {
		t.Errorf("payloadType = %q, want %q", b.DsseEnvelope.PayloadType, sign.PayloadType)
	}
	if !bytes.Equal(b.DsseEnvelope.Payload, wantPayload) {
		t.Errorf("payload:\ngot  %s\nwant %s", b.DsseEnvelope.Payload, wantPayload)
	}
	if len(b.DsseEnvelope.Signatures) != 1 || len(b.DsseEnvelope.Signatures[0].Sig) < 64 {
		t.Errorf("signatures = %+v, want one ECDSA signature", b.DsseEnvelope.Signatures)
	}
	// The hint is cosign's: base64 SHA-256 of the DER public key in cosign.pub.
	if got, want := signer.Hint(), hintOf(t, pubPath); got != want {
		t.Errorf("Hint() = %s, want %s", got, want)
	}
	pub, err := signer.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := os.ReadFile(pubPath); !bytes.Equal(pub, want) {
		t.Errorf("PublicKey() = %s, want cosign.pub %s", pub, want)
	}
	if bytes.ContainsAny(bundle, "\n\t") || bytes.Contains(bundle, []byte(": ")) {
		t.Errorf("bundle JSON is not compact: %s", bundle)
	}
}

func hintOf(t testing.TB, pubPath string) string {
	t.Helper()
	pemBytes, err := os.ReadFile(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	// PEM body is base64 of the DER public key.
	lines := strings.Split(strings.TrimSpace(string(pemBytes)), "\n")
	der, err := base64.StdEncoding.DecodeString(strings.Join(lines[1:len(lines)-1], ""))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestSignVerify(t *testing.T) {
	ctx := context.Background()
	signer, pubPath := keyPair(t)
	_, otherPub := keyPair(t)
	bundle, err := sign.Attest(ctx, signer, statement(digestA))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ok", func(t *testing.T) {
		v, err := sign.Verify(ctx, bundle, sign.VerifyOptions{Key: pubPath})
		if err != nil {
			t.Fatal(err)
		}
		if v.Format != sign.FormatBundle {
			t.Errorf("Format = %q, want %q", v.Format, sign.FormatBundle)
		}
		if v.Signer != (sign.Identity{KeyHint: signer.Hint()}) || v.Signer.String() != "key "+signer.Hint() {
			t.Errorf("Signer = %+v (%s), want key %s", v.Signer, v.Signer, signer.Hint())
		}
		if string(v.Statement.Predicate) != document || v.Statement.PredicateType != sign.DefaultPredicateType ||
			!slices.Equal(v.Statement.Subjects, []sign.Subject{{Name: repo, Digest: digestA}}) {
			t.Errorf("Statement = %+v", v.Statement)
		}
	})

	t.Run("bare DSSE envelope", func(t *testing.T) {
		v, err := sign.Verify(ctx, envelopeOf(t, bundle), sign.VerifyOptions{Key: pubPath})
		if err != nil {
			t.Fatal(err)
		}
		if v.Format != sign.FormatEnvelope || v.Signer.KeyHint != signer.Hint() || string(v.Statement.Predicate) != document {
			t.Errorf("Verify(envelope) = %+v", v)
		}
	})

	wrongType, err := signer.Sign(ctx, "application/json", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	trustedRoot := cosigntest.TrustedRootFile(t)
	tests := []struct {
		name string
		data []byte
		opts sign.VerifyOptions
		want error
		msg  string
	}{
		{"other key", bundle, sign.VerifyOptions{Key: otherPub}, sign.ErrSignature,
			"signature does not verify: signed by key " + signer.Hint() + ", not " + hintOf(t, otherPub)},
		{"other key, bare envelope", envelopeOf(t, bundle), sign.VerifyOptions{Key: otherPub}, sign.ErrSignature, ""},
		{"tampered payload", tamper(t, bundle), sign.VerifyOptions{Key: pubPath}, sign.ErrSignature, ""},
		{"tampered envelope", envelopeOf(t, tamper(t, bundle)), sign.VerifyOptions{Key: pubPath}, sign.ErrSignature, ""},
		{"truncated bundle", bundle[:len(bundle)/2], sign.VerifyOptions{Key: pubPath}, sign.ErrFormat,
			"malformed attestation: unexpected end of JSON input"},
		{"not JSON", []byte("hello"), sign.VerifyOptions{Key: pubPath}, sign.ErrFormat, ""},
		{"unknown JSON", []byte(`{"foo":1}`), sign.VerifyOptions{Key: pubPath}, sign.ErrFormat,
			"malformed attestation: neither a sigstore bundle, a DSSE envelope nor an in-toto statement"},
		{"plain statement", mustEncode(t, statement(digestA)), sign.VerifyOptions{Key: pubPath}, sign.ErrNoSignature,
			"attestation is not signed: a plain in-toto statement"},
		{"envelope without signatures", []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[]}`),
			sign.VerifyOptions{Key: pubPath}, sign.ErrNoSignature, "attestation is not signed: DSSE envelope has no signatures"},
		{"bundle without signatures", unsign(t, bundle), sign.VerifyOptions{Key: pubPath}, sign.ErrNoSignature,
			"attestation is not signed: DSSE envelope in bundle has no signatures"},
		{"payload type", wrongType, sign.VerifyOptions{Key: pubPath}, sign.ErrPayloadType,
			`unexpected DSSE payload type: "application/json", want application/vnd.in-toto+json`},
		{"certificate bundle, key verifier", withCertificate(t, bundle), sign.VerifyOptions{Key: pubPath}, sign.ErrSignature,
			"signature does not verify: signed with a certificate, not with key " + signer.Hint()},
		{"tlog required, none in bundle", bundle, sign.VerifyOptions{Key: pubPath, RequireTlog: true, TrustedRoot: trustedRoot}, sign.ErrVerification,
			"attestation verification failed: failed to verify log inclusion: not enough verified log entries from transparency log: 0 < 1"},
		{"key bundle, keyless verifier", bundle, sign.VerifyOptions{CertificateIdentity: "a@example.com", CertificateOIDCIssuer: "https://issuer.example.com", TrustedRoot: trustedRoot},
			sign.ErrIdentity, "signer identity does not match: signed with a key, not a certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := sign.Verify(ctx, tt.data, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %+v, %v; want error %v", v, err, tt.want)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("error = %q, want %q", err, tt.msg)
			}
		})
	}
}

func mustEncode(t testing.TB, st sign.Statement) []byte {
	t.Helper()
	b, err := st.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// envelopeOf turns a bundle into the bare DSSE envelope cosign's legacy
// .att layers hold.
func envelopeOf(t testing.TB, bundle []byte) []byte {
	t.Helper()
	var b struct {
		DsseEnvelope json.RawMessage `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	return b.DsseEnvelope
}

// edit decodes a bundle, lets f change it, and encodes it again.
func edit(t testing.TB, bundle []byte, f func(env map[string]any)) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	f(b["dsseEnvelope"].(map[string]any))
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tamper changes the statement's status inside the signed payload.
func tamper(t testing.TB, bundle []byte) []byte {
	return edit(t, bundle, func(env map[string]any) {
		payload, err := base64.StdEncoding.DecodeString(env["payload"].(string))
		if err != nil {
			t.Fatal(err)
		}
		changed := bytes.Replace(payload, []byte("not_affected"), []byte("affected"), 1)
		if bytes.Equal(changed, payload) {
			t.Fatal("tamper changed nothing")
		}
		env["payload"] = base64.StdEncoding.EncodeToString(changed)
	})
}

// withCertificate swaps the bundle's key hint for a (meaningless)
// certificate.
func withCertificate(t testing.TB, bundle []byte) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	b["verificationMaterial"] = map[string]any{"certificate": map[string]any{"rawBytes": "MAo="}}
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func unsign(t testing.TB, bundle []byte) []byte {
	return edit(t, bundle, func(env map[string]any) { env["signatures"] = []any{} })
}

func TestLoadKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keyPath, _ := cosigntest.WriteKeyPair(t, dir, password)
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, password, want string
	}{
		{"wrong password", keyPath, "wrong", "cannot load key: " + keyPath + ": decrypt: encrypted: decryption failed"},
		{"missing file", filepath.Join(dir, "missing.key"), password, "cannot load key: open " + filepath.Join(dir, "missing.key") + ": no such file or directory"},
		{"not PEM", notPEM, password, "cannot load key: " + notPEM + ": invalid pem block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sign.LoadKey(ctx, tt.path, []byte(tt.password))
			if !errors.Is(err, sign.ErrKey) || err.Error() != tt.want {
				t.Errorf("LoadKey = %v, want %q (ErrKey)", err, tt.want)
			}
		})
	}
}

// TestSignConcurrent signs with one decrypted key from many goroutines; every
// bundle verifies and is about its own subject.
func TestSignConcurrent(t *testing.T) {
	ctx := context.Background()
	signer, pubPath := keyPair(t)
	verifier, err := sign.NewVerifier(ctx, sign.VerifyOptions{Key: pubPath})
	if err != nil {
		t.Fatal(err)
	}
	const n = 32
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			digest := fmt.Sprintf("sha256:%064x", i)
			bundle, err := sign.Attest(ctx, signer, statement(digest))
			if err != nil {
				errs[i] = err
				return
			}
			v, err := verifier.Verify(ctx, bundle)
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = v.Statement.CheckSubject(digest)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Error(err)
	}
}

func TestNewVerifierOptions(t *testing.T) {
	ctx := context.Background()
	_, pubPath := keyPair(t)
	root := cosigntest.TrustedRootFile(t)
	tests := []struct {
		name string
		opts sign.VerifyOptions
		want error
		msg  string
	}{
		{"nothing", sign.VerifyOptions{}, sign.ErrOptions, "invalid signing options: need a key or a certificate identity and issuer"},
		{"key and identity", sign.VerifyOptions{Key: pubPath, CertificateIdentity: "a"}, sign.ErrOptions, "invalid signing options: a key and a certificate identity are exclusive"},
		{"identity without issuer", sign.VerifyOptions{CertificateIdentity: "a", TrustedRoot: root}, sign.ErrOptions,
			"invalid signing options: need exactly one of certificate OIDC issuer and certificate OIDC issuer regexp"},
		{"identity and regexp", sign.VerifyOptions{CertificateIdentity: "a", CertificateIdentityRegexp: "a", CertificateOIDCIssuer: "i", TrustedRoot: root}, sign.ErrOptions,
			"invalid signing options: need exactly one of certificate identity and certificate identity regexp"},
		{"keyless without trusted root", sign.VerifyOptions{CertificateIdentity: "a", CertificateOIDCIssuer: "i"}, sign.ErrOptions,
			"invalid signing options: keyless verification needs a trusted root"},
		{"bad regexp", sign.VerifyOptions{CertificateIdentityRegexp: "(", CertificateOIDCIssuer: "i", TrustedRoot: root}, sign.ErrOptions, ""},
		{"tlog without trusted root", sign.VerifyOptions{Key: pubPath, RequireTlog: true}, sign.ErrOptions,
			"invalid signing options: requiring the transparency log needs a trusted root"},
		{"missing key file", sign.VerifyOptions{Key: "/nonexistent/cosign.pub"}, sign.ErrKey, "cannot load key: open /nonexistent/cosign.pub: no such file or directory"},
		{"private key as public key", sign.VerifyOptions{Key: root}, sign.ErrKey, ""},
		{"keyless ok", sign.VerifyOptions{CertificateIdentityRegexp: ".*", CertificateOIDCIssuer: "https://token.actions.githubusercontent.com", TrustedRoot: root}, nil, ""},
		{"key with tlog ok", sign.VerifyOptions{Key: pubPath, RequireTlog: true, TrustedRoot: root}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sign.NewVerifier(ctx, tt.opts)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("NewVerifier = %v, want %v", err, tt.want)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("error = %q, want %q", err, tt.msg)
			}
		})
	}
}

func TestUnsigned(t *testing.T) {
	signer, _ := keyPair(t)
	bundle, err := sign.Attest(context.Background(), signer, statement(digestA))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"statement": mustEncode(t, statement(digestA)),
		"envelope":  envelopeOf(t, bundle),
		"bundle":    bundle,
		"unsigned":  unsign(t, bundle),
	} {
		t.Run(name, func(t *testing.T) {
			st, err := sign.Unsigned(data)
			if err != nil {
				t.Fatal(err)
			}
			if string(st.Predicate) != document || !st.HasDigest(digestA) {
				t.Errorf("Unsigned = %+v", st)
			}
		})
	}
}

// BenchmarkSign measures signing one subject's statement with a key that was
// decrypted once, outside the loop, for documents of 1 and 200 statements.
func BenchmarkSign(b *testing.B) {
	ctx := context.Background()
	signer, _ := keyPair(b)
	for _, n := range []int{1, 200} {
		b.Run(fmt.Sprintf("statements=%d", n), func(b *testing.B) {
			predicate := benchDocument(n)
			b.SetBytes(int64(len(predicate)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sum := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
				i++
				st := sign.Statement{Subjects: []sign.Subject{{Name: repo, Digest: "sha256:" + hex.EncodeToString(sum[:])}}, PredicateType: sign.DefaultPredicateType, Predicate: predicate}
				if _, err := sign.Attest(ctx, signer, st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify measures verifying one bundle with a loaded key, for
// documents of 1 and 200 statements.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	signer, pubPath := keyPair(b)
	v, err := sign.NewVerifier(ctx, sign.VerifyOptions{Key: pubPath})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 200} {
		b.Run(fmt.Sprintf("statements=%d", n), func(b *testing.B) {
			bundle, err := sign.Attest(ctx, signer, sign.Statement{Subjects: []sign.Subject{{Name: repo, Digest: digestA}}, PredicateType: sign.DefaultPredicateType, Predicate: benchDocument(n)})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(bundle)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, bundle); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadKey measures decrypting a cosign key (scrypt), the cost a
// loop of `cosign attest` processes pays per subject.
func BenchmarkLoadKey(b *testing.B) {
	keyPath, _ := cosigntest.WriteKeyPair(b, b.TempDir(), password)
	for b.Loop() {
		if _, err := sign.LoadKey(context.Background(), keyPath, []byte(password)); err != nil {
			b.Fatal(err)
		}
	}
}

// benchDocument is an OpenVEX-shaped document with n statements.
func benchDocument(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://vex.example.com/proxy/x","author":"Example Security","version":1,"statements":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"vulnerability":{"name":"CVE-2024-%05d"},"products":[{"@id":"pkg:oci/proxy@%s"}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path","timestamp":"2024-01-01T00:00:00Z"}`, i, digestA)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}
