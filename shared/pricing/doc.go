// Package pricing turns tokens into money. Money is integer nano-USD
// (1e-9 USD); prices are integer micro-USD per million tokens, so a price like
// $0.0375 per million tokens is exact (37,500) and a cost never goes through
// a float. Costs round up: Tollgate never under-reserves or under-bills.
//
// The table is versioned in code (Version) and overridable per organization;
// a price outside sane bounds is refused when it is configured (Validate),
// not discovered at billing time.
package pricing
