package route

import (
	"context"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/provider"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Opener opens a sealed provider key under the org's data key.
type Opener interface {
	Open(ctx context.Context, s secrets.Scope, purpose, record, sealed string) ([]byte, error)
}

// Credential opens connection c's sealed key for one call of workspace ws.
// The plaintext lives only in the returned value; the built-in mock needs
// none.
func Credential(ctx context.Context, o Opener, sc secrets.Scope, ws string, c workspace.Connection) (provider.Credential, error) {
	var cred provider.Credential
	if c.Kind == workspace.KindMock {
		return cred, nil
	}
	record := workspace.KeyRecord(ws, c.Name)
	switch {
	case c.SealedKey != "":
		key, err := o.Open(ctx, sc, workspace.PurposeProviderKey, record, c.SealedKey)
		if err != nil {
			return cred, err
		}
		cred.APIKey = string(key)
	case c.SealedAWSSecret != "":
		secret, err := o.Open(ctx, sc, workspace.PurposeProviderKey, record, c.SealedAWSSecret)
		if err != nil {
			return cred, err
		}
		cred.AWSAccessKeyID, cred.AWSSecretAccessKey = c.AccessKeyID, string(secret)
		if c.AccessKeyID == "" { // sealed together as "<key id>\n<secret>": no part of it in clear
			cred.AWSAccessKeyID, cred.AWSSecretAccessKey, _ = strings.Cut(string(secret), "\n")
		}
	default:
		return cred, apperr.New(apperr.Invalid, "provider_key_missing",
			"no provider key is configured for "+c.Name+" in this workspace").WithParam("model")
	}
	return cred, nil
}
