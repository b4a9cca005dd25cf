// Package chat holds the OpenAI Chat Completions wire types, which are
// Tollgate's canonical request and response shapes: clients speak them to the
// gateway, and every provider package converts to and from them.
//
// Fields Tollgate does not model are kept in Extra and written back out, so an
// OpenAI-compatible upstream receives the client's request faithfully.
package chat
