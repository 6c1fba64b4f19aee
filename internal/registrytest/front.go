package registrytest

import (
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"
)

// Kind names a class of registry request, for counting.
type Kind string

// The request kinds a Registry counts. Requests that match none of them are
// counted as KindOther.
const (
	KindPing          Kind = "ping"
	KindManifestGet   Kind = "manifest GET"
	KindManifestHead  Kind = "manifest HEAD"
	KindManifestPut   Kind = "manifest PUT"
	KindManifestOther Kind = "manifest other"
	KindBlobGet       Kind = "blob GET"
	KindBlobHead      Kind = "blob HEAD"
	KindBlobPost      Kind = "blob POST"
	KindBlobPut       Kind = "blob PUT"
	KindBlobPatch     Kind = "blob PATCH"
	KindBlobOther     Kind = "blob other"
	KindReferrers     Kind = "referrers"
	KindTagsList      Kind = "tags list"
	KindOther         Kind = "other"
)

// Classify returns the Kind of a registry request.
func Classify(r *http.Request) Kind {
	p := r.URL.Path
	switch {
	case p == "/v2/" || p == "/v2":
		return KindPing
	case strings.Contains(p, "/referrers/"):
		return KindReferrers
	case strings.HasSuffix(p, "/tags/list"):
		return KindTagsList
	case strings.Contains(p, "/manifests/"):
		switch r.Method {
		case http.MethodGet:
			return KindManifestGet
		case http.MethodHead:
			return KindManifestHead
		case http.MethodPut:
			return KindManifestPut
		}
		return KindManifestOther
	case strings.Contains(p, "/blobs/"):
		switch r.Method {
		case http.MethodGet:
			return KindBlobGet
		case http.MethodHead:
			return KindBlobHead
		case http.MethodPost:
			return KindBlobPost
		case http.MethodPut:
			return KindBlobPut
		case http.MethodPatch:
			return KindBlobPatch
		}
		return KindBlobOther
	}
	return KindOther
}

// Fault is a programmed misbehaviour of the front. Among the requests that
// Match accepts, the first Skip pass through untouched, the next Times are
// answered by the fault, and the rest pass through again.
type Fault struct {
	// Match selects the requests the fault counts; nil selects every request.
	Match func(*http.Request) bool
	// Skip is how many matching requests pass before the fault fires: Skip
	// 2 fires on the third matching request.
	Skip int
	// Times is how many matching requests the fault answers; 0 means one,
	// a negative number means every one after Skip.
	Times int
	// Status is the HTTP status to answer with (500 if zero and neither
	// Drop nor Handler is set).
	Status int
	// Drop hijacks the connection and closes it without an answer.
	Drop bool
	// Handler, if set, answers the request instead of the registry.
	Handler http.Handler

	seen, fired int
}

// Fired reports how many requests the fault has answered so far.
func (r *Registry) Fired(f *Fault) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return f.fired
}

// front counts and forwards requests to the registry behind it.
type front struct {
	reg   *Registry
	proxy http.Handler
}

func newFront(reg *Registry, backend *url.URL) *front {
	return &front{reg: reg, proxy: httputil.NewSingleHostReverseProxy(backend)}
}

func (f *front) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	kind := Classify(req)
	fault := f.reg.record(req, kind)
	if fault == nil {
		f.proxy.ServeHTTP(w, req)
		return
	}
	switch {
	case fault.Handler != nil:
		fault.Handler.ServeHTTP(w, req)
	case fault.Drop:
		hj, ok := w.(http.Hijacker)
		if !ok {
			http.Error(w, "registrytest: cannot hijack", http.StatusInternalServerError)
			return
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			return
		}
		conn.Close()
	default:
		status := fault.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"errors":[{"code":"UNKNOWN","message":"registrytest: injected fault"}]}`)
	}
}

// record counts req and returns the fault that answers it, if any.
func (r *Registry) record(req *http.Request, kind Kind) *Fault {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[kind]++
	r.total++
	for _, f := range r.faults {
		if f.Match != nil && !f.Match(req) {
			continue
		}
		f.seen++
		if f.seen <= f.Skip {
			continue
		}
		times := f.Times
		if times == 0 {
			times = 1
		}
		if times > 0 && f.fired >= times {
			continue
		}
		f.fired++
		return f
	}
	return nil
}

// Inject adds a fault to the front and returns it (pass it to Fired). Faults
// are tried in the order they were injected; the first that fires answers.
func (r *Registry) Inject(f Fault) *Fault {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := &f
	r.faults = append(r.faults, p)
	return p
}

// ClearFaults removes every injected fault.
func (r *Registry) ClearFaults() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = nil
}

// Counts returns the number of requests seen so far, by kind.
func (r *Registry) Counts() map[Kind]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[Kind]int, len(r.counts))
	for k, v := range r.counts {
		out[k] = v
	}
	return out
}

// Count returns the number of requests of one kind seen so far.
func (r *Registry) Count(k Kind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[k]
}

// Total returns the number of requests seen so far.
func (r *Registry) Total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// ResetCounts sets every counter back to zero.
func (r *Registry) ResetCounts() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts = map[Kind]int{}
	r.total = 0
}

// CountsString renders counts as "kind=n" pairs in a stable order, for logs
// and benchmark reports.
func CountsString(counts map[Kind]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s=%d", k, counts[Kind(k)])
	}
	return b.String()
}

// PathContains returns a Fault matcher for requests whose path contains s.
func PathContains(s string) func(*http.Request) bool {
	return func(r *http.Request) bool { return strings.Contains(r.URL.Path, s) }
}

// OfKind returns a Fault matcher for requests of the given kinds.
func OfKind(kinds ...Kind) func(*http.Request) bool {
	return func(r *http.Request) bool {
		k := Classify(r)
		for _, want := range kinds {
			if k == want {
				return true
			}
		}
		return false
	}
}
