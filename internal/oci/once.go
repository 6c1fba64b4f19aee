package oci

import (
	"context"
	"sync"
)

// onceByKey runs a function at most once per key at a time and remembers
// its successful answer: concurrent callers with one key wait for the one
// call in flight and share its result. A failed call is not remembered, so
// the next caller tries again.
type onceByKey[V any] struct {
	mu   sync.Mutex
	done map[string]V
	busy map[string]*call[V]
}

// call is one run of the function, shared by whoever waits on done.
type call[V any] struct {
	done chan struct{}
	v    V
	err  error
}

// do returns the remembered answer for key, or runs fn to get one. A
// caller whose ctx ends while it waits gets ctx's error; the call in
// flight goes on for the others.
func (o *onceByKey[V]) do(ctx context.Context, key string, fn func() (V, error)) (V, error) {
	o.mu.Lock()
	if v, ok := o.done[key]; ok {
		o.mu.Unlock()
		return v, nil
	}
	if cl, ok := o.busy[key]; ok {
		o.mu.Unlock()
		select {
		case <-cl.done:
			return cl.v, cl.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	if o.busy == nil {
		o.busy = map[string]*call[V]{}
		o.done = map[string]V{}
	}
	cl := &call[V]{done: make(chan struct{})}
	o.busy[key] = cl
	o.mu.Unlock()

	cl.v, cl.err = fn()

	o.mu.Lock()
	delete(o.busy, key)
	if cl.err == nil {
		o.done[key] = cl.v
	}
	o.mu.Unlock()
	close(cl.done)
	return cl.v, cl.err
}
