package demo

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/olareg/olareg"
	"github.com/olareg/olareg/config"
)

// Registry is an in-memory OCI registry with the OCI 1.1 referrers API
// (olareg), served over plain HTTP on a loopback port.
type Registry struct {
	// Host is host:port, on 127.0.0.1.
	Host string

	srv     *http.Server
	handler *olareg.Server
	done    chan error
}

// StartRegistry starts a registry on addr ("127.0.0.1:0" picks a free
// port); it must be a loopback address, since it takes pushes from anyone.
func StartRegistry(addr string) (*Registry, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("registry address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("registry address %q: %w", addr, ErrNotLoopback)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("starting the registry on %s: %w", addr, err)
	}
	handler := olareg.New(config.Config{Storage: config.ConfigStorage{StoreType: config.StoreMem}})
	r := &Registry{
		Host:    l.Addr().String(),
		srv:     &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second},
		handler: handler,
		done:    make(chan error, 1),
	}
	go func() { r.done <- r.srv.Serve(l) }()
	return r, nil
}

// Ref returns host:port/repo.
func (r *Registry) Ref(repo string) string { return r.Host + "/" + repo }

// Close stops the registry at once, closing every connection (clients
// keep idle ones open), and drops what it holds.
func (r *Registry) Close() error {
	err := r.srv.Close()
	if serr := <-r.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return errors.Join(err, r.handler.Close())
}
