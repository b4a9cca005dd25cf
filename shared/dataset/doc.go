// Package dataset holds the evaluation datasets a workspace uploads for the
// savings engine: a JSONL file of conversations, each ending in a user turn,
// optionally with the answer the workspace expects and a few tags.
//
// A dataset is customer text, as sensitive as a prompt, so:
//
//   - Parse checks every line before anything is stored and reports each bad
//     line by number and stable code, never by quoting it: a reject travels
//     to logs and error bodies, where the line's text must not follow it. A
//     line holding a credential shape (scrub.Contains) is refused outright so
//     a pasted API key never reaches the table, even sealed.
//   - Store keeps the items only sealed (secrets, purpose "dataset"), packed
//     into chunks, and binds each chunk to its workspace, dataset and
//     position, so a chunk moved elsewhere fails authentication.
//   - Everything is bounded (Max* constants), so one upload cannot exhaust a
//     Lambda's memory or a partition.
//
// Items (all tenant-owned, so TenantRole's leading-key condition covers them):
//
//	ORG#<org>#DS#<id>         CHUNK#<00000>   {ws, data: sealed JSONL of items}
//	ORG#<org>#DSMETA#<ws>     <id>            Meta: name, counts, bytes, sha256, created
//
// The meta item is written after every chunk and deleted before them, so a
// listed dataset always has all its chunks; a crash can only leave unlisted
// chunks, which Delete sweeps.
package dataset
