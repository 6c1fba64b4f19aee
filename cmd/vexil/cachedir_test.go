package main

import (
	"path/filepath"
	"runtime"
	"testing"
)

// The cache directory comes from the command's working directory and
// environment, never from the process's: a relative --cache-dir is the
// command's, like --key, and the default follows its XDG_CACHE_HOME or HOME.
func TestCacheDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the default cache directory is checked where it follows XDG")
	}
	wd := t.TempDir()
	tests := []struct {
		name string
		flag string
		vars map[string]string
		want string
	}{
		{"relative flag", "cache", nil, filepath.Join(wd, "cache")},
		{"absolute flag", "/var/cache/x", nil, "/var/cache/x"},
		{"XDG_CACHE_HOME", "", map[string]string{"XDG_CACHE_HOME": "/xdg", "HOME": "/home/u"}, "/xdg/vexil"},
		{"relative XDG_CACHE_HOME is ignored", "", map[string]string{"XDG_CACHE_HOME": "rel", "HOME": "/home/u"}, "/home/u/.cache/vexil"},
		{"HOME", "", map[string]string{"HOME": "/home/u"}, "/home/u/.cache/vexil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := &environment{Getwd: func() (string, error) { return wd, nil }, Getenv: func(k string) string { return tt.vars[k] }}
			o := &registryOptions{Jobs: 1, CacheDir: tt.flag}
			if _, err := o.client(env, &globalOptions{PlainHTTP: true}); err != nil {
				t.Fatal(err)
			}
			if o.CacheDir != tt.want {
				t.Errorf("got cache dir %q, want %q", o.CacheDir, tt.want)
			}
		})
	}
	env := &environment{Getwd: func() (string, error) { return wd, nil }}
	o := &registryOptions{Jobs: 1}
	if _, err := o.client(env, &globalOptions{}); err != nil || o.CacheDir != "" {
		t.Errorf("no HOME, no XDG_CACHE_HOME, no --cache-dir: got %q, %v; want no disk cache and no error", o.CacheDir, err)
	}
}
