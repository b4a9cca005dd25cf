package config

import (
	"errors"
	"os"
)

// Reader reads typed variables through a lookup function and remembers every
// problem for Err. It is meant for one goroutine, in main.
type Reader struct {
	lookup func(string) (string, bool)
	errs   []error
}

// FromOS returns a Reader of the process environment.
func FromOS() *Reader { return New(os.LookupEnv) }

// New returns a Reader that looks variables up with lookup, which has the
// signature of os.LookupEnv; tests pass a map's lookup.
func New(lookup func(string) (string, bool)) *Reader {
	return &Reader{lookup: lookup}
}

// Err returns every problem found so far, joined, or nil when there was
// none. Each joined error is an *Error.
func (r *Reader) Err() error { return errors.Join(r.errs...) }

// get returns the variable's value and whether it is set and non-empty.
func (r *Reader) get(name string) (string, bool) {
	v, ok := r.lookup(name)
	return v, ok && v != ""
}

// fail records a problem with name.
func (r *Reader) fail(name, problem string) {
	r.errs = append(r.errs, &Error{Name: name, Problem: problem})
}

// failValue records a problem with name's value v, quoting v when that is
// safe (see quote).
func (r *Reader) failValue(name, v, problem string) {
	r.fail(name, "value "+quote(name, v)+problem)
}
