package dataset

import (
	"context"

	"github.com/tollgate-dev/tollgate/shared/secrets"
)

// purpose is the secrets purpose of every chunk, so a chunk can never be
// opened as a provider key or any other sealed record, nor the reverse.
const purpose = "dataset"

// Sealer seals records for one org. Store.Put refuses a Sealer of another
// org than the one it writes for, so a mixed-up caller cannot seal org A's
// dataset under org B's key.
type Sealer interface {
	Org() string
	Seal(ctx context.Context, purpose, record string, plaintext []byte) (string, error)
}

// Opener opens records sealed for one org.
type Opener interface {
	Org() string
	Open(ctx context.Context, purpose, record, sealed string) ([]byte, error)
}

// OrgKeys is an Envelope bound to one org's scoped clients: the Sealer and
// Opener the Store takes.
type OrgKeys struct {
	env   *secrets.Envelope
	scope secrets.Scope
}

// Bind returns env bound to scope (made from the org's tenant session).
func Bind(env *secrets.Envelope, scope secrets.Scope) OrgKeys {
	return OrgKeys{env: env, scope: scope}
}

// Org is the org the keys belong to.
func (k OrgKeys) Org() string { return k.scope.Org }

// Seal seals plaintext for (org, purpose, record).
func (k OrgKeys) Seal(ctx context.Context, purpose, record string, plaintext []byte) (string, error) {
	return k.env.Seal(ctx, k.scope, purpose, record, plaintext)
}

// Open opens a value sealed for (org, purpose, record).
func (k OrgKeys) Open(ctx context.Context, purpose, record, sealed string) ([]byte, error) {
	return k.env.Open(ctx, k.scope, purpose, record, sealed)
}
