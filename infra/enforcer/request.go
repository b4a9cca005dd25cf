package enforcer

import (
	"net/http"
	"net/url"
	"strings"
)

// checksFor maps a request of any service to its authorizations.
func (e *Enforcer) checksFor(m *model, service, op string, r *http.Request, body []byte, form url.Values, wi wire) ([]check, *awsError) {
	target := r.Header.Get("X-Amz-Target")
	switch service {
	case "dynamodb":
		dop, ok := dynamoOp(target)
		if !ok {
			return nil, unknownOperation()
		}
		return dynamoChecks(m, dop, body)
	case "kms":
		if !strings.HasPrefix(target, kmsPrefix) || op == "" {
			return nil, unknownOperation()
		}
		return kmsChecks(m, op, body)
	case "sqs":
		if wi.json {
			if !strings.HasPrefix(target, sqsPrefix) || op == "" {
				return nil, unknownOperation()
			}
			return sqsJSONChecks(m, op, body)
		}
		if op == "" {
			return nil, unknownOperation()
		}
		return sqsQueryChecks(m, op, form, r.URL.Path), nil
	case "sts":
		switch op {
		case "":
			return nil, unknownOperation()
		case "GetCallerIdentity":
			return nil, nil // allowed for every authenticated caller, as in AWS
		}
		return []check{{action: "sts:" + op, resource: "*"}}, nil
	default:
		if op == "" {
			return nil, unknownOperation()
		}
		return []check{{action: service + ":" + op, resource: "*"}}, nil
	}
}

// unambiguous refuses requests that two parsers could read differently
// (repeated JSON keys, repeated parameters, repeated targets): the enforcer
// must authorize exactly what the emulator will execute.
func unambiguous(r *http.Request, body []byte, form url.Values, wi wire) *awsError {
	if len(r.Header.Values("X-Amz-Target")) > 1 {
		return serializationError("X-Amz-Target is given more than once")
	}
	if wi.json {
		if err := uniqueJSONKeys(body); err != nil {
			return serializationError(err.Error())
		}
		return nil
	}
	for k, v := range form {
		if len(v) > 1 {
			return validationError("Parameter " + k + " is given more than once")
		}
	}
	return nil
}

// operation names the request's operation: the X-Amz-Target suffix for JSON
// protocols, the Action parameter for the query protocol.
func operation(r *http.Request, form url.Values) string {
	if t := r.Header.Get("X-Amz-Target"); t != "" {
		if i := strings.LastIndexByte(t, '.'); i >= 0 {
			return t[i+1:]
		}
		return ""
	}
	return form.Get("Action")
}

// formValues reads query-protocol parameters from the URL and a form body.
func formValues(r *http.Request, body []byte) url.Values {
	vals := r.URL.Query()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if b, err := url.ParseQuery(string(body)); err == nil {
			for k, v := range b {
				vals[k] = append(vals[k], v...)
			}
		}
	}
	return vals
}
