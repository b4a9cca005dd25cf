// Package lambdaruntime is a loopback implementation of the AWS Lambda
// Runtime API (version 2018-06-01) for tests and benchmarks.
//
// A function binary built for provided.al2023 talks only to the Runtime API,
// so pointing AWS_LAMBDA_RUNTIME_API at this server runs the real binary,
// unchanged, on a laptop: Invoke queues an event, the function long-polls
// for it, and the function's response arrives as a stream exactly as it
// posts it — chunk by chunk, with its content type and error trailers —
// which is what a streaming integration sees in AWS. WaitReady reports when
// the function first polled, the end of its cold-start init.
package lambdaruntime
