package main

import (
	"context"
	"io"
)

// Main runs vexil with args and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return 0
}
