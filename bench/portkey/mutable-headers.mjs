// Preload for the Portkey gateway (node --import), used by `make bench`.
//
// On Node 20 and 22, Portkey 1.15.2 fails every streamed call with
// "TypeError: immutable": @hono/node-server replaces the global Response
// with a lightweight one that, when Portkey re-wraps an upstream body as
// `new Response(stream, upstreamResponse)`, keeps the upstream response's
// Headers object, which fetch made immutable; Portkey then appends its
// x-portkey-* headers to it. Giving every fetched response a mutable copy
// of its headers is the smallest change that lets streams through; it
// costs one Headers copy per upstream call and changes nothing else.
const upstreamFetch = globalThis.fetch;

globalThis.fetch = async function fetch(input, init) {
  const r = await upstreamFetch(input, init);
  return new Response(r.body, { status: r.status, statusText: r.statusText, headers: new Headers(r.headers) });
};
