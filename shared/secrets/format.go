package secrets

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/id"
)

// Version1 is the only sealed format so far: AES-256-GCM under an org data key.
const Version1 = "v1"

// dataKeyPrefix names data-key IDs.
const dataKeyPrefix = "dk_"

// sealed is a parsed sealed string.
type sealed struct {
	version string
	keyID   string
	payload []byte // nonce || ciphertext || tag
}

func (s sealed) String() string {
	return s.version + "." + s.keyID + "." + base64.RawURLEncoding.EncodeToString(s.payload)
}

// parse splits a sealed string, refusing unknown versions and malformed parts.
func parse(v string) (sealed, error) {
	version, rest, ok := strings.Cut(v, ".")
	if !ok {
		return sealed{}, fmt.Errorf("sealed secret has no version prefix")
	}
	if version != Version1 {
		return sealed{}, fmt.Errorf("unsupported sealed secret version %q", version)
	}
	keyID, body, ok := strings.Cut(rest, ".")
	if !ok || !id.Valid(dataKeyPrefix, keyID) {
		return sealed{}, fmt.Errorf("sealed secret has no valid data key id")
	}
	payload, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return sealed{}, fmt.Errorf("sealed secret payload: %w", err)
	}
	if len(payload) < nonceSize+tagSize {
		return sealed{}, fmt.Errorf("sealed secret payload too short")
	}
	return sealed{version: version, keyID: keyID, payload: payload}, nil
}

// aad binds a ciphertext to where it belongs, so moving it to another org,
// purpose or record makes it fail authentication.
func aad(org, purpose, record string) []byte {
	return []byte("tollgate/" + Version1 + "\x00org=" + org + "\x00purpose=" + purpose + "\x00record=" + record)
}
