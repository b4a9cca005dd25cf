// Package workspace loads what the gateway needs to know about a workspace
// — its routing aliases, provider connections (with sealed keys), spend caps,
// rate limits and content settings — as one immutable Snapshot, with one
// Query of the workspace's partition plus one read of the org item, and
// caches it briefly so a warm instance reads nothing per request.
//
// Items (all tenant-owned, so TenantRole's leading-key condition covers them):
//
//	ORG#<org>            ORG                 org settings: name, monthly cap, price overrides
//	ORG#<org>#WS#<ws>    SETTINGS            workspace settings and limits
//	ORG#<org>#WS#<ws>    ALIAS#<name>        current alias version: ordered targets
//	ORG#<org>#WS#<ws>    CONN#<name>         provider connection: kind, endpoint, sealed key
package workspace
