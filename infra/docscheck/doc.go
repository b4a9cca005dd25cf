// Package docscheck holds tests that keep the repository's documents
// honest: every test SECURITY.md names must exist.
package docscheck
