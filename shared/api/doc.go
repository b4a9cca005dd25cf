// Package api is the management API under /api/v1: organizations,
// workspaces, members, tokens and the rest (DESIGN §3–§5).
//
// Its routes come from one OpenAPI 3 document, openapi.yaml, embedded in
// the binary: the router is built from it, template.yaml's REST API is
// generated from it, and the isolation suite walks it. Each operation
// names the permission it needs (x-tollgate-permission) and the token scope
// (x-tollgate-scope); the server checks both, in that order of cost,
// before a handler runs.
//
// Auth semantics: 401 for a missing, malformed, unknown, expired or revoked
// token; 403 for a known caller without the scope or role; 404 for anything
// outside the caller's org, which is never confirmed to exist (handlers only
// ever read through the caller's TenantRole session, so another org's items
// are unreachable, not merely filtered).
package api
