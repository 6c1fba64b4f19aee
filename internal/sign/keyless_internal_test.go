package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	sgsign "github.com/sigstore/sigstore-go/pkg/sign"
)

// countingCA issues a ten-minute certificate, like Fulcio, and counts
// requests.
type countingCA struct {
	t     *testing.T
	now   *time.Time
	calls int
}

func (c *countingCA) GetCertificate(_ context.Context, _ sgsign.Keypair, _ *sgsign.CertificateProviderOptions) ([]byte, error) {
	c.calls++
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		c.t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(c.calls)), Subject: pkix.Name{CommonName: "sigstore"},
		NotBefore: *c.now, NotAfter: c.now.Add(10 * time.Minute)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		c.t.Fatal(err)
	}
	return der, nil
}

// TestCachedCertificate checks that one certificate serves every signature
// until a minute before it expires.
func TestCachedCertificate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ca := &countingCA{t: t, now: &now}
	cache := &cachedCertificate{provider: ca, now: func() time.Time { return now }}
	steps := []struct {
		advance   time.Duration
		wantCalls int
	}{
		{0, 1},
		{0, 1},
		{8*time.Minute + 59*time.Second, 1},
		{time.Second, 2}, // 9 minutes in: within a minute of expiry
		{time.Minute, 2},
	}
	var last []byte
	for i, s := range steps {
		now = now.Add(s.advance)
		der, err := cache.GetCertificate(context.Background(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ca.calls != s.wantCalls {
			t.Errorf("step %d: %d certificate requests, want %d", i, ca.calls, s.wantCalls)
		}
		if changed := string(der) != string(last); changed != (i == 0 || steps[i].wantCalls != steps[i-1].wantCalls) {
			t.Errorf("step %d: certificate changed = %v", i, changed)
		}
		last = der
	}
}
