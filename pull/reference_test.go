package pull_test

import (
	"errors"
	"testing"

	"github.com/vexil-dev/vexil/pull"
)

func TestParseReference(t *testing.T) {
	const d = "sha256:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		in, repo, tag, digest, str string
	}{
		{"registry.example.com/acme/proxy", "registry.example.com/acme/proxy", "latest", "", "registry.example.com/acme/proxy:latest"},
		{"127.0.0.1:5000/acme/proxy:v1", "127.0.0.1:5000/acme/proxy", "v1", "", "127.0.0.1:5000/acme/proxy:v1"},
		{"127.0.0.1:5000/proxy@" + d, "127.0.0.1:5000/proxy", "", d, "127.0.0.1:5000/proxy@" + d},
		{"ghcr.io/acme/proxy:v1@" + d, "ghcr.io/acme/proxy", "", d, "ghcr.io/acme/proxy@" + d},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := pull.ParseReference(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Repository != tc.repo || got.Tag != tc.tag || string(got.Digest) != tc.digest || got.String() != tc.str {
				t.Errorf("got %+v (%s), want %s %q %q (%s)", got, got, tc.repo, tc.tag, tc.digest, tc.str)
			}
		})
	}
	for _, in := range []string{"proxy", "proxy:v1", "host/", "host/acme/proxy:", "host/Acme/proxy", "host/proxy@sha256:12", "host//proxy"} {
		t.Run(in, func(t *testing.T) {
			if _, err := pull.ParseReference(in); !errors.Is(err, pull.ErrReference) {
				t.Errorf("got %v, want %v", err, pull.ErrReference)
			}
		})
	}
}
