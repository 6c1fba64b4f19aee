package oci

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// retryTransport retries requests that failed in a way worth retrying: a
// 5xx, 429 or 408 answer (when the body can be sent again), or a network
// error on an idempotent method (GET, HEAD, PUT, DELETE, OPTIONS), which
// covers a registry that drops the connection.
type retryTransport struct {
	base    http.RoundTripper
	retries int
	backoff time.Duration
	log     *slog.Logger
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	wait := t.backoff
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(ctx)
			if req.Body != nil && req.Body != http.NoBody {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := t.base.RoundTrip(r)
		if attempt >= t.retries || !t.retryable(req, resp, err) {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			t.log.DebugContext(ctx, "retrying", "method", req.Method, "url", req.URL.Redacted(), "status", resp.StatusCode, "attempt", attempt+1)
		} else {
			t.log.DebugContext(ctx, "retrying", "method", req.Method, "url", req.URL.Redacted(), "error", err, "attempt", attempt+1)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}

func (t *retryTransport) retryable(req *http.Request, resp *http.Response, err error) bool {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false // cannot send the body again
	}
	if err != nil {
		if ctxErr := req.Context().Err(); ctxErr != nil || err == context.Canceled {
			return false
		}
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
			return true
		}
		return false
	}
	switch {
	case resp.StatusCode >= 500, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout:
		return true
	}
	return false
}

// errBodyCut marks a failure to read an answer's body that another GET may
// cure: the registry dropped the connection mid-body, after the transport
// had handed the answer over and could no longer retry it.
type errBodyCut struct{ err error }

func (e errBodyCut) Error() string { return e.err.Error() }
func (e errBodyCut) Unwrap() error { return e.err }

// cutBody returns err, a failure reading a body, marked as worth another
// GET when the connection dropped.
func (c *Client) cutBody(err error, format string, args ...any) error {
	err = c.wrap(err, format, args...)
	if errors.Is(err, ErrUnreachable) {
		return errBodyCut{err}
	}
	return err
}

// withBodyRetries runs get, which sends a GET and reads its body, again
// (after the transport's backoff) while it fails with a body cut off by a
// dropped connection, up to Options.Retries times.
func (c *Client) withBodyRetries(ctx context.Context, get func() error) error {
	wait := c.opts.Backoff
	for attempt := 0; ; attempt++ {
		err := get()
		var cut errBodyCut
		if !errors.As(err, &cut) {
			return err
		}
		if attempt >= c.opts.Retries {
			return cut.err
		}
		c.log.DebugContext(ctx, "body cut off; fetching again", "error", err, "attempt", attempt+1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait *= 2
	}
}
