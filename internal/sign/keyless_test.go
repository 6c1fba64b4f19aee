package sign_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vexil-dev/vexil/internal/sign"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// jwt makes an unsigned token with the claims (Fulcio would verify the
// signature; vexil only reads issuer and expiry).
func jwt(claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(claims)) + "." + enc([]byte("sig"))
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestIDToken(t *testing.T) {
	ctx := context.Background()
	gh := jwt(`{"iss":"https://token.actions.githubusercontent.com","sub":"repo:acme/vex:ref:refs/heads/main"}`)
	var gotAuth, gotAudience string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotAudience = r.Header.Get("Authorization"), r.URL.Query().Get("audience")
		if r.URL.Query().Get("api-version") != "2.0" {
			http.Error(w, "lost the query", http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `{"count":1,"value":%q}`, gh)
	}))
	defer srv.Close()
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer denied.Close()

	tests := []struct {
		name string
		env  map[string]string
		want string
		err  string
	}{
		{"SIGSTORE_ID_TOKEN", map[string]string{"SIGSTORE_ID_TOKEN": " tok\n", "ACTIONS_ID_TOKEN_REQUEST_URL": srv.URL}, "tok", ""},
		{"github actions", map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": srv.URL + "/token?api-version=2.0", "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req-secret"}, gh, ""},
		{"github actions denied", map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": denied.URL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "x"}, "",
			"no OIDC identity token: github actions token request: 403 Forbidden"},
		{"github actions without permission", map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": srv.URL}, "",
			"no OIDC identity token: set SIGSTORE_ID_TOKEN, or run in GitHub Actions with permission id-token: write"},
		{"nothing", map[string]string{}, "", "no OIDC identity token: set SIGSTORE_ID_TOKEN, or run in GitHub Actions with permission id-token: write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sign.IDToken(ctx, env(tt.env), srv.Client())
			if tt.err != "" {
				if !errors.Is(err, sign.ErrNoIDToken) || err.Error() != tt.err {
					t.Fatalf("IDToken = %q, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("IDToken = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if gotAuth != "Bearer req-secret" || gotAudience != "sigstore" {
		t.Errorf("token request: Authorization %q, audience %q; want %q, %q", gotAuth, gotAudience, "Bearer req-secret", "sigstore")
	}
}

func TestNewKeyless(t *testing.T) {
	ctx := context.Background()
	valid := jwt(fmt.Sprintf(`{"iss":"https://accounts.example.com","sub":"me","exp":%d}`, epoch.Add(time.Hour).Unix()))
	tests := []struct {
		name   string
		opts   sign.KeylessOptions
		want   error
		msg    string
		issuer string
	}{
		{"token given", sign.KeylessOptions{IDToken: valid}, nil, "", "https://accounts.example.com"},
		{"token from environment", sign.KeylessOptions{Getenv: env(map[string]string{"SIGSTORE_ID_TOKEN": valid}), FulcioURL: "http://127.0.0.1:1", RekorURL: "http://127.0.0.1:2"}, nil, "", "https://accounts.example.com"},
		{"no token", sign.KeylessOptions{Getenv: env(nil)}, sign.ErrNoIDToken, "", ""},
		{"no environment", sign.KeylessOptions{}, sign.ErrNoIDToken, "no OIDC identity token: no environment given", ""},
		{"expired token", sign.KeylessOptions{IDToken: jwt(fmt.Sprintf(`{"iss":"https://accounts.example.com","sub":"me","exp":%d}`, epoch.Unix()))}, sign.ErrOptions,
			"invalid signing options: OIDC token from https://accounts.example.com expired at 2026-01-02T03:04:05Z", ""},
		{"not a JWT", sign.KeylessOptions{IDToken: "opaque"}, sign.ErrOptions, "invalid signing options: OIDC token is not a JWT (1 parts)", ""},
		{"no issuer", sign.KeylessOptions{IDToken: jwt(`{"sub":"me"}`)}, sign.ErrOptions, "invalid signing options: OIDC token has no issuer", ""},
		{"no subject", sign.KeylessOptions{IDToken: jwt(`{"iss":"https://accounts.example.com"}`)}, sign.ErrOptions, "invalid signing options: OIDC token from https://accounts.example.com has no subject", ""},
		{"bad fulcio url", sign.KeylessOptions{IDToken: valid, FulcioURL: "fulcio.example.com"}, sign.ErrOptions,
			`invalid signing options: fulcio url: "fulcio.example.com" is not an http(s) URL`, ""},
		{"bad rekor url", sign.KeylessOptions{IDToken: valid, RekorURL: "ftp://rekor.example.com"}, sign.ErrOptions,
			`invalid signing options: rekor url: "ftp://rekor.example.com" is not an http(s) URL`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Now = func() time.Time { return epoch }
			s, err := sign.NewKeyless(ctx, tt.opts)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("NewKeyless = %v, want %v", err, tt.want)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("error = %q, want %q", err, tt.msg)
			}
			if err == nil && s.Issuer() != tt.issuer {
				t.Errorf("Issuer() = %q, want %q", s.Issuer(), tt.issuer)
			}
		})
	}
}

// TestKeylessSignUnreachable signs against a Fulcio that refuses
// connections (a closed loopback port): the error names the failure, nothing
// leaves the machine.
func TestKeylessSignUnreachable(t *testing.T) {
	ctx := context.Background()
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	s, err := sign.NewKeyless(ctx, sign.KeylessOptions{
		IDToken:   jwt(`{"iss":"https://accounts.example.com","sub":"me"}`),
		FulcioURL: url, RekorURL: url,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Sign(ctx, sign.PayloadType, []byte(`{}`))
	if err == nil || !strings.HasPrefix(err.Error(), "keyless signing: ") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("Sign = %v, want a keyless signing error with connection refused", err)
	}
}

// TestKMSRouting checks that each KMS scheme reaches its sigstore provider
// (which rejects a malformed key reference before any network traffic), and
// that the errors say so.
func TestKMSRouting(t *testing.T) {
	ctx := context.Background()
	t.Setenv("VAULT_ADDR", "")
	tests := []struct {
		uri  string
		want string
	}{
		{"awskms:///", "cannot load key: awskms:///: kms specification should be in the format awskms://[ENDPOINT]/[ID/ALIAS/ARN] (endpoint optional)"},
		{"gcpkms://bad", "cannot load key: gcpkms://bad: kms specification should be in the format gcpkms://projects/[PROJECT_ID]/locations/[LOCATION]/keyRings/[KEY_RING]/cryptoKeys/[KEY]/cryptoKeyVersions/[VERSION]"},
		{"azurekms://bad", "cannot load key: azurekms://bad: kms specification should be in the format azurekms://[VAULT_NAME][VAULT_URL]/[KEY_NAME]/[VERSION (optional)]"},
		{"hashivault://", "cannot load key: hashivault://: kms specification should be in the format hashivault://<key>"},
		{"hashivault://vexil", "cannot load key: hashivault://vexil: VAULT_ADDR is not set"},
		{"k8s://ns/secret", `cannot load key: "k8s://ns/secret" is not a KMS URI (awskms://, gcpkms://, azurekms://, hashivault://)`},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			_, err := sign.LoadKMS(ctx, tt.uri)
			if !errors.Is(err, sign.ErrKey) || err.Error() != tt.want {
				t.Errorf("LoadKMS = %v\nwant %s", err, tt.want)
			}
			// Verification routes KMS URIs the same way.
			_, err = sign.NewVerifier(ctx, sign.VerifyOptions{Key: tt.uri})
			if !errors.Is(err, sign.ErrKey) {
				t.Errorf("NewVerifier = %v, want ErrKey", err)
			}
		})
	}
}

// TestKMSVaultUnreachable reaches the hashivault provider for real, against
// a closed loopback port: the public key fetch fails at load time.
func TestKMSVaultUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close()
	t.Setenv("VAULT_ADDR", addr)
	t.Setenv("VAULT_TOKEN", "test-token")
	_, err := sign.LoadKMS(context.Background(), "hashivault://vexil")
	if !errors.Is(err, sign.ErrKey) || !strings.HasPrefix(err.Error(), "cannot load key: hashivault://vexil: ") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("LoadKMS = %v, want ErrKey naming the URI and connection refused", err)
	}
}
