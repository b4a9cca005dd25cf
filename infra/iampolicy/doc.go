// Package iampolicy evaluates AWS IAM policy documents the way IAM does, for
// the subset of the language Tollgate's policies use.
//
// Tenant isolation in Tollgate is an IAM promise (DESIGN §3): a session tagged
// org=<id> may touch only items whose partition key is ORG#<id> or begins with
// ORG#<id>#, and may unwrap only data keys whose encryption context names that
// org. No local emulator evaluates IAM, so without this package an isolation
// bug would first show up in AWS. The enforcing endpoint (infra/enforcer) feeds
// every local request through Evaluate with the policies read from
// template.yaml.
//
// Semantics follow the IAM documentation:
//
//   - An explicit Deny in any applicable statement wins; otherwise any Allow
//     allows; otherwise the request is implicitly denied.
//   - Action matching is case-insensitive, resource matching case-sensitive;
//     both accept the * and ? wildcards. In a Resource ARN a * that ends an ARN
//     segment may span colons; elsewhere wildcards stay inside their segment.
//   - Within a Condition block every operator and every key must hold (AND);
//     the values listed for one key are alternatives (OR).
//   - A key missing from the request fails a positive operator, satisfies a
//     negated one (StringNotEquals, StringNotLike, ArnNotLike, …), and
//     satisfies any operator with the IfExists suffix. Null tests presence.
//   - ForAllValues holds when every request value matches some policy value,
//     and so holds vacuously when the key is absent or empty.
//     ForAnyValue holds when at least one request value matches.
//   - Without a set prefix, a positive operator holds when any request value
//     matches any policy value; a negated operator is the negation of its
//     positive form.
//   - Policy variables (${aws:PrincipalTag/org}, with an optional default
//     ${key, 'default'}) are substituted in Resource and in string and ARN
//     condition values, only under Version 2012-10-17. A variable with no
//     single value in the request makes its comparison fail: under a
//     positive operator that policy value matches nothing (other listed
//     values may still match); under a negated operator the condition does
//     not hold; in Resource the pattern matches no resource. ${*}, ${?} and
//     ${$} stand for the literal characters; substituted text is always
//     literal, never a wildcard.
//
// Operators outside the supported set (Date*, IpAddress, Binary*) are rejected
// when a policy is parsed, so an unsupported policy fails loudly instead of
// being evaluated wrongly.
package iampolicy
