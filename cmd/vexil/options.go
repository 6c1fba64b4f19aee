package main

import (
	"github.com/spf13/pflag"
)

// Output formats of -o/--output, for commands whose output is data.
const (
	outputText = "text"
	outputJSON = "json"
)

// globalOptions are the flags every command takes.
type globalOptions struct {
	// ConfigPath is the vexil.yaml to use; empty means the first one found
	// walking up from the working directory.
	ConfigPath string
	// PlainHTTP talks to registries over plain HTTP (loopback registries).
	PlainHTTP bool
	// Output is the format of data on stdout: text or json.
	Output string
}

// AddFlags registers the global flags on fs.
func (o *globalOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.ConfigPath, "config", "", "path of vexil.yaml (default: the first found walking up from the working directory)")
	fs.BoolVar(&o.PlainHTTP, "plain-http", false, "use plain HTTP for registries (loopback test registries)")
	fs.StringVarP(&o.Output, "output", "o", outputText, "format of data on stdout: text|json")
}

// Validate checks the values of the global flags.
func (o *globalOptions) Validate() error {
	switch o.Output {
	case outputText, outputJSON:
		return nil
	}
	return usageErrorf("invalid value %q for -o/--output: want text or json", o.Output)
}
