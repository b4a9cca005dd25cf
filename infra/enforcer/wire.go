package enforcer

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// wire is how a service speaks: the JSON protocols (DynamoDB, SQS: 1.0; KMS:
// 1.1) or the query protocol with XML answers (STS, SQS's older clients).
// Errors must come back in the shape the caller's SDK parses.
type wire struct {
	service string
	json    bool
	// contentType of JSON responses.
	contentType string
	// typePrefix precedes the error code in "__type".
	typePrefix string
	// queryCompatible services (SQS) also return the query error code in the
	// x-amzn-query-error header.
	queryCompatible bool
	// xmlns is the query protocol's response namespace.
	xmlns string
}

func wireFor(r *http.Request, service string) wire {
	w := wire{service: service}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		w.json = true
		w.contentType = "application/x-amz-json-1.0"
		if strings.Contains(r.Header.Get("Content-Type"), "1.1") {
			w.contentType = "application/x-amz-json-1.1"
		}
		switch service {
		case "dynamodb", "sqs":
			w.typePrefix = "com.amazon.coral.service#"
		}
		w.queryCompatible = service == "sqs"
		return w
	}
	switch service {
	case "sqs":
		w.xmlns = "http://queue.amazonaws.com/doc/2012-11-05/"
	default:
		w.xmlns = "https://sts.amazonaws.com/doc/2011-06-15/"
	}
	return w
}

// serviceFromTarget guesses the service of an unsigned JSON request, so even
// a refusal of it has the right shape.
func serviceFromTarget(target string) string {
	switch {
	case strings.HasPrefix(target, "DynamoDB"):
		return "dynamodb"
	case strings.HasPrefix(target, "TrentService"):
		return "kms"
	case strings.HasPrefix(target, "AmazonSQS"):
		return "sqs"
	default:
		return "sts"
	}
}

// awsError is an error answered in the service's own format. jsonCode and
// queryCode name the same error in the two protocol families.
type awsError struct {
	status    int
	jsonCode  string
	queryCode string
	message   string
	// receiver marks a server-side fault (query protocol's <Type>).
	receiver bool
}

func accessDenied(msg string) *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "AccessDeniedException", queryCode: "AccessDenied", message: msg}
}

func unrecognizedClient() *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "UnrecognizedClientException", queryCode: "InvalidClientTokenId",
		message: "The security token included in the request is invalid."}
}

func expiredToken() *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "ExpiredTokenException", queryCode: "ExpiredToken",
		message: "The security token included in the request is expired"}
}

func invalidSignature(msg string) *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "InvalidSignatureException", queryCode: "SignatureDoesNotMatch", message: msg}
}

func missingAuthentication() *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "MissingAuthenticationTokenException", queryCode: "MissingAuthenticationToken",
		message: "Request is missing Authentication Token"}
}

func incompleteSignature(msg string) *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "IncompleteSignatureException", queryCode: "IncompleteSignature", message: msg}
}

func validationError(msg string) *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "ValidationException", queryCode: "ValidationError", message: msg}
}

func serializationError(msg string) *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "SerializationException", queryCode: "MalformedInput", message: msg}
}

func malformedPolicy(msg string) *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "MalformedPolicyDocumentException", queryCode: "MalformedPolicyDocument", message: msg}
}

func unknownOperation() *awsError {
	return &awsError{status: http.StatusBadRequest, jsonCode: "UnknownOperationException", queryCode: "InvalidAction",
		message: "The action or operation requested is not supported by the local enforcing endpoint"}
}

func tooLarge() *awsError {
	return &awsError{status: http.StatusRequestEntityTooLarge, jsonCode: "RequestEntityTooLarge", queryCode: "RequestEntityTooLarge",
		message: "Request body is too large"}
}

func serviceUnavailable() *awsError {
	return &awsError{status: http.StatusBadGateway, jsonCode: "ServiceUnavailable", queryCode: "ServiceUnavailable",
		message: "The service is unavailable. Please try again later.", receiver: true}
}

// write sends e in w's format. Query protocol services answer auth failures
// with 403, as STS and SQS do.
func (wi wire) write(rw http.ResponseWriter, e *awsError) {
	reqID := requestID()
	rw.Header().Set("X-Amzn-Requestid", reqID)
	if wi.json {
		key := "message"
		if wi.service == "dynamodb" && e.jsonCode == "AccessDeniedException" {
			key = "Message"
		}
		body, _ := json.Marshal(map[string]string{"__type": wi.typePrefix + e.jsonCode, key: e.message})
		rw.Header().Set("Content-Type", wi.contentType)
		if wi.queryCompatible {
			rw.Header().Set("X-Amzn-Query-Error", e.queryCode+";"+faultType(e))
		}
		status := e.status
		if wi.service == "sqs" && e.jsonCode == "AccessDeniedException" {
			status = http.StatusForbidden
		}
		rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
		rw.WriteHeader(status)
		_, _ = rw.Write(body)
		return
	}
	type xmlError struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	type xmlResponse struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     xmlError `xml:"Error"`
		RequestID string   `xml:"RequestId"`
	}
	out, _ := xml.Marshal(xmlResponse{Xmlns: wi.xmlns, Error: xmlError{Type: faultType(e), Code: e.queryCode, Message: e.message}, RequestID: reqID})
	body := append([]byte(xml.Header), out...)
	status := e.status
	switch e.queryCode {
	case "AccessDenied", "InvalidClientTokenId", "SignatureDoesNotMatch", "MissingAuthenticationToken", "IncompleteSignature":
		status = http.StatusForbidden
	}
	rw.Header().Set("Content-Type", "text/xml")
	rw.Header().Set("Content-Length", strconv.Itoa(len(body)))
	rw.WriteHeader(status)
	_, _ = rw.Write(body)
}

func faultType(e *awsError) string {
	if e.receiver {
		return "Receiver"
	}
	return "Sender"
}

// requestID returns a random UUID-shaped request ID, as AWS services send.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
