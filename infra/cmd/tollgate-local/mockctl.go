package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tollgate-dev/tollgate/shared/provider/mock"
)

// maxControlBody bounds a control request's body; a regression is tiny.
const maxControlBody = 4 << 10

// mockControl serves the local mock's regressions over HTTP, so a developer
// or an end-to-end test can make a model worse while the system runs and
// watch verification and drift react:
//
//	GET    /local/mock/regressions          every active regression
//	PUT    /local/mock/regressions/{model}  set one (JSON body, see wireRegression)
//	DELETE /local/mock/regressions/{model}  clear one
//
// {model} is the mock's model name, without the connection ("mock-large").
type mockControl struct {
	regressions *mock.Regressions
}

// wireRegression is a regression as the control endpoint reads and writes
// it; absent fields are zero.
type wireRegression struct {
	ErrorPercent   int     `json:"error_percent"`
	ExtraLatencyMS int64   `json:"extra_latency_ms"`
	QualityDrop    float64 `json:"quality_drop"`
}

// toWire converts a regression for a response.
func toWire(r mock.Regression) wireRegression {
	return wireRegression{ErrorPercent: r.ErrorPercent, ExtraLatencyMS: r.ExtraLatency.Milliseconds(), QualityDrop: r.QualityDrop}
}

// regression converts a request's regression, refusing a latency whose
// conversion to a duration would overflow (mock.Regressions checks the
// rest).
func (w wireRegression) regression() (mock.Regression, error) {
	if limit := int64(mock.MaxExtraLatency / time.Millisecond); w.ExtraLatencyMS < 0 || w.ExtraLatencyMS > limit {
		return mock.Regression{}, fmt.Errorf("extra_latency_ms must be within [0,%d]", limit)
	}
	return mock.Regression{
		ErrorPercent: w.ErrorPercent,
		ExtraLatency: time.Duration(w.ExtraLatencyMS) * time.Millisecond,
		QualityDrop:  w.QualityDrop,
	}, nil
}

// register adds the control routes to mux.
func (c mockControl) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /local/mock/regressions", c.list)
	mux.HandleFunc("PUT /local/mock/regressions/{model}", c.set)
	mux.HandleFunc("DELETE /local/mock/regressions/{model}", c.clear)
}

// list answers {"regressions":{"<model>":{...}}}.
func (c mockControl) list(w http.ResponseWriter, _ *http.Request) {
	out := map[string]wireRegression{}
	for model, r := range c.regressions.All() {
		out[model] = toWire(r)
	}
	writeControlJSON(w, http.StatusOK, map[string]any{"regressions": out})
}

// set replaces the model's regression and answers it; a malformed or
// out-of-range body is a 400 that leaves the old regression in place.
func (c mockControl) set(w http.ResponseWriter, r *http.Request) {
	model := r.PathValue("model")
	var in wireRegression
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		controlError(w, "invalid_json", "the body must be one JSON object with error_percent, extra_latency_ms and quality_drop: "+err.Error())
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		controlError(w, "invalid_json", "the body must hold exactly one JSON object")
		return
	}
	reg, err := in.regression()
	if err == nil {
		err = c.regressions.Set(model, reg)
	}
	if err != nil {
		controlError(w, "invalid_regression", err.Error())
		return
	}
	writeControlJSON(w, http.StatusOK, map[string]any{"model": model, "regression": toWire(reg)})
}

// clear removes the model's regression; clearing none is not an error.
func (c mockControl) clear(w http.ResponseWriter, r *http.Request) {
	c.regressions.Clear(r.PathValue("model"))
	w.WriteHeader(http.StatusNoContent)
}

// controlError answers 400 in the local endpoints' error shape.
func controlError(w http.ResponseWriter, code, msg string) {
	writeControlJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// writeControlJSON writes v with status.
func writeControlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
