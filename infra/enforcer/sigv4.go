package enforcer

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	sigAlgorithm = "AWS4-HMAC-SHA256"
	amzDateFmt   = "20060102T150405Z"
	// maxSkew is how far a request's X-Amz-Date may be from the enforcer's
	// clock, as in AWS.
	maxSkew = 15 * time.Minute
)

// authHeader is a parsed SigV4 Authorization header.
type authHeader struct {
	accessKeyID   string
	date          string // yyyymmdd from the credential scope
	region        string
	service       string
	signedHeaders []string
	signature     string
}

var errNoAuth = errors.New("no Authorization header")

// parseAuthorization reads
// "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request,
// SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (authHeader, error) {
	if h == "" {
		return authHeader{}, errNoAuth
	}
	alg, rest, ok := strings.Cut(h, " ")
	if !ok || alg != sigAlgorithm {
		return authHeader{}, fmt.Errorf("unsupported authorization scheme")
	}
	var a authHeader
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return authHeader{}, fmt.Errorf("malformed authorization component")
		}
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" || f[0] == "" {
				return authHeader{}, fmt.Errorf("malformed credential scope")
			}
			a.accessKeyID, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	if a.accessKeyID == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return authHeader{}, fmt.Errorf("incomplete authorization header")
	}
	return a, nil
}

// signatureError says why a signature was refused; expired is set when the
// request's date is outside the allowed skew.
type signatureError struct {
	msg     string
	expired bool
}

// Error returns the message AWS gives for the same refusal.
func (e *signatureError) Error() string { return e.msg }

const mismatchMsg = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// verifySignature recomputes the request's signature with the SDK's own
// signer over a copy of the request holding exactly the headers the client
// signed, and compares it with the one sent.
func verifySignature(r *http.Request, body []byte, a authHeader, secret string, now time.Time) error {
	dateHdr := r.Header.Get("X-Amz-Date")
	signedAt, err := time.Parse(amzDateFmt, dateHdr)
	if err != nil {
		return &signatureError{msg: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."}
	}
	if !strings.HasPrefix(dateHdr, a.date) {
		return &signatureError{msg: "Credential should be scoped to a valid date matching X-Amz-Date."}
	}
	if d := now.Sub(signedAt); d > maxSkew || d < -maxSkew {
		return &signatureError{expired: true, msg: fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			dateHdr, now.Add(-maxSkew).UTC().Format(amzDateFmt), now.UTC().Format(amzDateFmt))}
	}

	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != payloadHash {
		return &signatureError{msg: "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}

	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	cp := &http.Request{Method: r.Method, URL: u, Host: r.Host, Header: http.Header{}}
	var token string
	for _, name := range a.signedHeaders {
		switch name {
		case "host":
			continue
		case "content-length":
			cp.ContentLength = int64(len(body))
			continue
		case "x-amz-security-token":
			token = r.Header.Get("X-Amz-Security-Token")
		}
		if vals := r.Header.Values(name); len(vals) > 0 {
			cp.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), vals...)
		}
	}
	creds := aws.Credentials{AccessKeyID: a.accessKeyID, SecretAccessKey: secret, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, cp, payloadHash, a.service, a.region, signedAt); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	mine, err := parseAuthorization(cp.Header.Get("Authorization"))
	if err != nil {
		return fmt.Errorf("parse own signature: %w", err)
	}
	want := append([]string(nil), a.signedHeaders...)
	sort.Strings(want)
	if strings.Join(mine.signedHeaders, ";") != strings.Join(want, ";") ||
		subtle.ConstantTimeCompare([]byte(mine.signature), []byte(a.signature)) != 1 {
		return &signatureError{msg: mismatchMsg}
	}
	return nil
}
