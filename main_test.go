package main

import (
	"context"
	"io"
	"os"
)

// run is runEnv on the process environment: the program as a child process
// of the tests (its environment given by the parent) runs through it.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runContext(context.Background(), args, stdin, stdout, stderr)
}

// runContext is run under a parent context (cancelling it stops it).
func runContext(parent context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runEnv(parent, args, os.Environ(), stdin, stdout, stderr)
}

// runWith is runEnv with exactly the variables of env, none of the
// process's: such a test may run in parallel with others.
func runWith(env map[string]string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	environ := make([]string, 0, len(env))
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	return runEnv(context.Background(), args, environ, stdin, stdout, stderr)
}

// envMap is a getenv over m.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
