package sign

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	sgsign "github.com/sigstore/sigstore-go/pkg/sign"
)

// Public-good sigstore instances, the defaults of KeylessOptions.
const (
	DefaultFulcioURL = "https://fulcio.sigstore.dev"
	DefaultRekorURL  = "https://rekor.sigstore.dev"
)

// KeylessOptions configure keyless signing: an ephemeral key, a short-lived
// certificate from Fulcio for an OIDC identity, and a Rekor entry.
type KeylessOptions struct {
	// FulcioURL and RekorURL default to the public-good instances.
	FulcioURL string
	RekorURL  string
	// IDToken is the OIDC token; empty means IDToken's ambient sources.
	IDToken string
	// Getenv reads the environment for the ambient token (cmd passes its
	// command's environment); with nil there is no ambient token.
	Getenv func(string) string
	// HTTPClient is used for the ambient token request; nil is
	// http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock that checks the token's expiry; nil is time.Now.
	Now func() time.Time
}

// KeylessSigner signs with an ephemeral key certified by Fulcio for the OIDC
// identity and records each signature in Rekor. One certificate serves many
// signatures while it is valid. It is safe for concurrent use.
type KeylessSigner struct {
	kp     sgsign.Keypair
	certs  *cachedCertificate
	rekor  sgsign.Transparency
	token  string
	issuer string
}

// NewKeyless validates the options, finds the OIDC token and makes the
// ephemeral key. It sends nothing over the network unless the token comes
// from the CI's ambient credentials (GitHub Actions).
func NewKeyless(ctx context.Context, opts KeylessOptions) (*KeylessSigner, error) {
	if opts.FulcioURL == "" {
		opts.FulcioURL = DefaultFulcioURL
	}
	if opts.RekorURL == "" {
		opts.RekorURL = DefaultRekorURL
	}
	for name, u := range map[string]string{"fulcio": opts.FulcioURL, "rekor": opts.RekorURL} {
		if err := checkServiceURL(u); err != nil {
			return nil, fmt.Errorf("%w: %s url: %w", ErrOptions, name, err)
		}
	}
	token := opts.IDToken
	if token == "" {
		var err error
		if token, err = IDToken(ctx, opts.Getenv, opts.HTTPClient); err != nil {
			return nil, err
		}
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	issuer, err := checkToken(token, now())
	if err != nil {
		return nil, err
	}
	kp, err := sgsign.NewEphemeralKeypair(nil)
	if err != nil {
		return nil, fmt.Errorf("generating ephemeral key: %w", err)
	}
	return &KeylessSigner{
		kp:     kp,
		certs:  &cachedCertificate{provider: sgsign.NewFulcio(&sgsign.FulcioOptions{BaseURL: opts.FulcioURL, Timeout: 30 * time.Second, Retries: 1}), now: now},
		rekor:  sgsign.NewRekor(&sgsign.RekorOptions{BaseURL: opts.RekorURL, Timeout: 90 * time.Second, Retries: 1}),
		token:  token,
		issuer: issuer,
	}, nil
}

// Issuer returns the OIDC issuer named in the token (unverified: Fulcio
// verifies it).
func (s *KeylessSigner) Issuer() string { return s.issuer }

// Sign signs payload as a DSSE envelope of payloadType with the ephemeral
// key, and returns a sigstore bundle v0.3 holding the Fulcio certificate and
// the Rekor entry.
func (s *KeylessSigner) Sign(ctx context.Context, payloadType string, payload []byte) ([]byte, error) {
	b, err := sgsign.Bundle(&sgsign.DSSEData{Data: payload, PayloadType: payloadType}, s.kp, sgsign.BundleOptions{
		Context:                    ctx,
		CertificateProvider:        s.certs,
		CertificateProviderOptions: &sgsign.CertificateProviderOptions{IDToken: s.token},
		TransparencyLogs:           []sgsign.Transparency{s.rekor},
	})
	if err != nil {
		return nil, fmt.Errorf("keyless signing: %w", err)
	}
	return marshalBundle(b)
}

// IDToken returns the OIDC token for keyless signing: SIGSTORE_ID_TOKEN if
// set, else GitHub Actions' token for audience "sigstore" (needs the
// workflow permission `id-token: write`). It wraps ErrNoIDToken when there
// is none.
func IDToken(ctx context.Context, getenv func(string) string, client *http.Client) (string, error) {
	if getenv == nil {
		return "", fmt.Errorf("%w: no environment given", ErrNoIDToken)
	}
	if tok := strings.TrimSpace(getenv("SIGSTORE_ID_TOKEN")); tok != "" {
		return tok, nil
	}
	reqURL, reqToken := getenv("ACTIONS_ID_TOKEN_REQUEST_URL"), getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
	if reqURL == "" || reqToken == "" {
		return "", fmt.Errorf("%w: set SIGSTORE_ID_TOKEN, or run in GitHub Actions with permission id-token: write", ErrNoIDToken)
	}
	return githubToken(ctx, client, reqURL, reqToken)
}

func githubToken(ctx context.Context, client *http.Client, reqURL, reqToken string) (string, error) {
	if client == nil {
		client = http.DefaultClient
	}
	u, err := url.Parse(reqURL)
	if err != nil {
		return "", fmt.Errorf("%w: ACTIONS_ID_TOKEN_REQUEST_URL: %w", ErrNoIDToken, err)
	}
	q := u.Query()
	q.Set("audience", "sigstore")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrNoIDToken, err)
	}
	req.Header.Set("Authorization", "Bearer "+reqToken)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("%w: requesting github actions token: %w", ErrNoIDToken, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("%w: reading github actions token: %w", ErrNoIDToken, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: github actions token request: %s", ErrNoIDToken, resp.Status)
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", fmt.Errorf("%w: github actions token response has no value", ErrNoIDToken)
	}
	return out.Value, nil
}

// checkToken checks that token is a JWT with an issuer and a subject that
// has not expired at now, and returns the issuer. The signature is Fulcio's
// to verify.
func checkToken(token string, now time.Time) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("%w: OIDC token is not a JWT (%d parts)", ErrOptions, len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return "", fmt.Errorf("%w: OIDC token claims: %w", ErrOptions, err)
	}
	var claims struct {
		Issuer  string `json:"iss"`
		Subject string `json:"sub"`
		Email   string `json:"email"`
		Expiry  int64  `json:"exp"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		return "", fmt.Errorf("%w: OIDC token claims: %w", ErrOptions, err)
	}
	if claims.Issuer == "" {
		return "", fmt.Errorf("%w: OIDC token has no issuer", ErrOptions)
	}
	if claims.Subject == "" && claims.Email == "" {
		return "", fmt.Errorf("%w: OIDC token from %s has no subject", ErrOptions, claims.Issuer)
	}
	if claims.Expiry != 0 && !now.Before(time.Unix(claims.Expiry, 0)) {
		return "", fmt.Errorf("%w: OIDC token from %s expired at %s", ErrOptions, claims.Issuer, time.Unix(claims.Expiry, 0).UTC().Format(time.RFC3339))
	}
	return claims.Issuer, nil
}

func checkServiceURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

// cachedCertificate asks its provider for a certificate once and reuses it
// until a minute before it expires.
type cachedCertificate struct {
	provider sgsign.CertificateProvider
	now      func() time.Time

	mu       sync.Mutex
	der      []byte
	notAfter time.Time
}

func (c *cachedCertificate) GetCertificate(ctx context.Context, kp sgsign.Keypair, opts *sgsign.CertificateProviderOptions) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.der != nil && c.now().Before(c.notAfter.Add(-time.Minute)) {
		return c.der, nil
	}
	der, err := c.provider.GetCertificate(ctx, kp, opts)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing certificate: %w", err)
	}
	c.der, c.notAfter = der, cert.NotAfter
	return der, nil
}
