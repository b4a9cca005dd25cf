// Package evalwork scores evaluation items: the eval worker's logic,
// independent of SQS and Lambda (see Handler for those).
//
// A message names a run and a chunk of its items (indexes and source
// references, never text). For each item the worker
//
//  1. skips it when its result is already recorded (a redelivery),
//  2. leases it, so a message delivered twice at once is scored by one
//     worker while the other retries later,
//  3. reuses the calls already made for it (a crashed worker's), and makes
//     the missing ones — baseline, candidate, judge — each through
//     package evalcall: kill switches checked, worst case reserved on the
//     org's and workspace's caps, the workspace's evaluation budget and the
//     run's cap, provider called, cost settled with a sealed record of the
//     answer in one transaction,
//  4. scores the answers and records the result exactly once, with the
//     sum of its calls' costs, then deletes the sealed answers.
//
// A stopped run (cancelled, killed, aborted at its cap) stops the chunk
// before the next call; an item with calls already made is recorded as
// run_stopped so the run's spend still adds up. A transient failure (a
// provider 5xx, throttling, an unreachable store) fails the message for
// redelivery; on its last receive the item is recorded dead-lettered and
// the message goes to the dead-letter queue.
package evalwork
