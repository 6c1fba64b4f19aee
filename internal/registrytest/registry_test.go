package registrytest

import (
	"io"
	"net/http"
	"testing"
)

func TestFrontCountsAndFaults(t *testing.T) {
	Each(t, func(t *testing.T, reg *Registry) {
		// no keep-alive: net/http silently resends a GET whose reused
		// connection was dropped, which would hide the fault
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		get := func() (int, error) {
			resp, err := client.Get("http://" + reg.Host + "/v2/")
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			_, _ = io.Copy(io.Discard, resp.Body)
			return resp.StatusCode, nil
		}
		if code, err := get(); err != nil || code != http.StatusOK {
			t.Fatalf("ping: got %d, %v; want 200", code, err)
		}
		f := reg.Inject(Fault{Match: OfKind(KindPing), Skip: 1, Status: http.StatusServiceUnavailable})
		for i, want := range []int{200, 503, 200} {
			code, err := get()
			if err != nil || code != want {
				t.Fatalf("ping %d: got %d, %v; want %d", i, code, err, want)
			}
		}
		if got := reg.Fired(f); got != 1 {
			t.Errorf("fired: got %d, want 1", got)
		}
		reg.Inject(Fault{Drop: true})
		if _, err := get(); err == nil {
			t.Errorf("dropped connection: got no error")
		}
		if got, want := reg.Count(KindPing), 5; got != want {
			t.Errorf("ping count: got %d, want %d", got, want)
		}
	})
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		method, path string
		want         Kind
	}{
		{"GET", "/v2/", KindPing},
		{"GET", "/v2/a/b/manifests/v1", KindManifestGet},
		{"HEAD", "/v2/a/manifests/sha256:00", KindManifestHead},
		{"PUT", "/v2/a/manifests/v1", KindManifestPut},
		{"GET", "/v2/a/blobs/sha256:00", KindBlobGet},
		{"HEAD", "/v2/a/blobs/sha256:00", KindBlobHead},
		{"POST", "/v2/a/blobs/uploads/", KindBlobPost},
		{"PUT", "/v2/a/blobs/uploads/x", KindBlobPut},
		{"PATCH", "/v2/a/blobs/uploads/x", KindBlobPatch},
		{"GET", "/v2/a/referrers/sha256:00", KindReferrers},
		{"GET", "/v2/a/tags/list", KindTagsList},
	} {
		req, _ := http.NewRequest(tc.method, "http://x"+tc.path, nil)
		if got := Classify(req); got != tc.want {
			t.Errorf("Classify(%s %s): got %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}
