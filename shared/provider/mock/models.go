package mock

import (
	"slices"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Model is how one mock model name behaves.
type Model struct {
	// Quality is the probability, in [0,1], that the model's answer equals
	// Correct(msgs). The answer is correct when the request's difficulty,
	// a uniform draw seeded by the request alone, is below Quality; every
	// model shares that draw, so mistakes nest as on real items: a request
	// a model misses is missed by every model of lower quality, and models
	// of equal quality are right and wrong on the same requests. A given
	// request is always answered the same way. Asked as a judge, the model
	// leaves its verdict unperturbed with this probability (see the package
	// doc). An active Regression lowers it.
	Quality float64
}

// DefaultQuality applies to model names missing from the table: they
// always answer correctly, which keeps demos and unrelated tests simple.
const DefaultQuality = 1.0

// BuiltinModels returns the documented model table; Options.Models adds to it
// or overrides it.
func BuiltinModels() map[string]Model {
	return map[string]Model{
		"mock-large":  {Quality: 0.95},
		"mock-medium": {Quality: 0.94},
		"mock-small":  {Quality: 0.80},
		"mock-tiny":   {Quality: 0.50},
	}
}

// modelsCreated is the fixed creation time listed for every mock model
// (2025-01-01T00:00:00Z), so GET /v1/models is deterministic.
const modelsCreated = 1735689600

// Models lists the configured model names for GET /v1/models, sorted.
func (m *Mock) Models() []chat.Model {
	names := make([]string, 0, len(m.models))
	for name := range m.models {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]chat.Model, len(names))
	for i, name := range names {
		out[i] = chat.Model{ID: name, Object: "model", Created: modelsCreated, OwnedBy: "tollgate-mock"}
	}
	return out
}

// quality returns the model's Quality, DefaultQuality when unlisted, less
// the QualityDrop of its active regression (never below 0).
func (m *Mock) quality(model string) float64 {
	q := DefaultQuality
	if md, ok := m.models[model]; ok {
		q = md.Quality
	}
	if r, ok := m.opts.Regressions.Get(model); ok {
		q = max(0, q-r.QualityDrop)
	}
	return q
}
