package ingest

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/shared/apperr"
)

var (
	errTooLarge = apperr.New(apperr.TooLarge, "batch_too_large",
		fmt.Sprintf("the request body exceeds %d bytes; send smaller batches", MaxBatchBytes))
	errInvalidUTF8 = apperr.New(apperr.Invalid, "invalid_utf8", "the request body is not valid UTF-8")
	errProtobuf    = apperr.New(apperr.Invalid, "unsupported_media_type",
		"only OTLP/HTTP JSON is accepted: configure the exporter with protocol http/json")
	errMediaType = apperr.New(apperr.Invalid, "unsupported_media_type",
		"send the body as Content-Type: application/json")
	errEncoding = apperr.New(apperr.Invalid, "unsupported_media_type",
		"compressed bodies are not accepted: send uncompressed JSON")
)

// checkMediaType refuses bodies this endpoint cannot read. A missing
// Content-Type is read as JSON, as curl and many SDKs send it.
func checkMediaType(r *http.Request) *apperr.Error {
	if enc := strings.TrimSpace(r.Header.Get("Content-Encoding")); enc != "" && !strings.EqualFold(enc, "identity") {
		return errEncoding
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	switch {
	case err != nil:
		return errMediaType
	case mt == "application/json":
		return nil
	case mt == "application/x-protobuf" || mt == "application/protobuf":
		return errProtobuf
	}
	return errMediaType
}

// readBody reads at most MaxBatchBytes, refusing a larger declared length
// before reading anything, and refuses a body that is not UTF-8: JSON
// decoding would silently replace the bad bytes and store altered text.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > MaxBatchBytes {
		return nil, errTooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBatchBytes))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, errTooLarge
	case err != nil:
		return nil, apperr.Wrap(fmt.Errorf("read body: %w", err), apperr.Invalid, "unreadable_body",
			"the request body could not be read")
	case !utf8.Valid(body):
		return nil, errInvalidUTF8
	}
	return body, nil
}
