// Package tenant turns an authenticated organization into AWS clients that
// can touch only that organization's data (DESIGN §3).
//
// Right after authentication a function asks Sessions.For(ctx, orgID). The
// first call for an org assumes TenantRole with the session tag org=<orgID>;
// the role's policy limits DynamoDB to leading keys ORG#<orgID> and
// ORG#<orgID>#…, and KMS to encryption contexts with that org. Credentials are
// cached per org until shortly before they expire, so a warm instance makes
// no STS call on the hot path. The cache is bounded and concurrent callers for
// one org share a single AssumeRole.
package tenant
