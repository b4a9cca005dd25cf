package lambdahttp

import (
	"net/http"
	"strings"
)

// hopByHop reports whether the canonical header name describes the
// connection between the function and the runtime, not the response API
// Gateway sends on.
func hopByHop(name string) bool {
	switch name {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Trailer", "Transfer-Encoding", "Upgrade":
		return true
	}
	return false
}

// preludeHeaders flattens h into the prelude's single-valued map: repeated
// fields are joined with ", " as HTTP allows for every field but Set-Cookie,
// which goes to the separate cookies list because its values may contain
// commas. Names are lower-cased, as HTTP/2 carries them. Trailers cannot be
// streamed through API Gateway and are dropped.
func preludeHeaders(h http.Header) (map[string]string, []string) {
	out := make(map[string]string, len(h))
	var cookies []string
	for k, vs := range h {
		if len(vs) == 0 {
			continue
		}
		ck := http.CanonicalHeaderKey(k)
		switch {
		case ck == "Set-Cookie":
			cookies = append(cookies, vs...)
			continue
		case hopByHop(ck), strings.HasPrefix(ck, http.TrailerPrefix):
			continue
		}
		name := strings.ToLower(ck)
		v := strings.Join(vs, ", ")
		if prev, ok := out[name]; ok {
			v = prev + ", " + v
		}
		out[name] = v
	}
	return out, cookies
}
