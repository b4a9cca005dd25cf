package lambdaruntime

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// Header and trailer names the runtime client uses to report a function error.
const (
	headerErrorType  = "Lambda-Runtime-Function-Error-Type"
	trailerErrorType = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody = "Lambda-Runtime-Function-Error-Body"
)

// FunctionError is an error the function reported for an invocation or for
// its init, in Lambda's error shape.
type FunctionError struct {
	Type    string // errorType, e.g. "Runtime.ExitError" or a Go type name
	Message string // errorMessage
	Payload []byte // the error document exactly as the function sent it
}

// Error renders the type and message, as Lambda's logs do.
func (e *FunctionError) Error() string {
	return "function error " + e.Type + ": " + e.Message
}

// parseFunctionError reads Lambda's error document; typ, from a header or
// trailer, wins over the document's own errorType when both are present.
func parseFunctionError(typ string, payload []byte) *FunctionError {
	var doc struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	_ = json.Unmarshal(payload, &doc) // a malformed document keeps its raw bytes
	if typ == "" {
		typ = doc.Type
	}
	return &FunctionError{Type: typ, Message: doc.Message, Payload: payload}
}

// trailerError returns the error a streamed response carried in its
// trailers, or nil when it ended cleanly.
func trailerError(tr http.Header) error {
	typ := tr.Get(trailerErrorType)
	if typ == "" {
		return nil
	}
	body := tr.Get(trailerErrorBody)
	payload, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		payload = []byte(body)
	}
	return parseFunctionError(typ, payload)
}
