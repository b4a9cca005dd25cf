package mock

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"

	"github.com/tollgate-dev/tollgate/shared/chat"
)

// Salts separate draws that hash the same request, so that, e.g., an
// item's difficulty is independent of the text of its canned answer.
const (
	// saltDifficulty seeds the correctness draw every model shares.
	saltDifficulty = "difficulty"
	// saltFault seeds the draw that decides whether an injected error
	// rate fails a call.
	saltFault = "fault"
)

// seed hashes the model, the conversation and the choice index into the
// two words that seed a request's random draws.
func seed(model string, msgs []chat.Message, choice int) (uint64, uint64) {
	h := sha256.New()
	conversation(h, model, msgs, choice)
	return words(h)
}

// saltedSeed is seed for a draw of its own: the salt comes first, so its
// words are unrelated to seed's for the same request.
func saltedSeed(salt, model string, msgs []chat.Message, choice int) (uint64, uint64) {
	h := sha256.New()
	field(h, salt)
	conversation(h, model, msgs, choice)
	return words(h)
}

// conversation writes the model, the messages and the choice index to h.
func conversation(h hash.Hash, model string, msgs []chat.Message, choice int) {
	field(h, model)
	for _, msg := range msgs {
		field(h, msg.Role)
		field(h, msg.Name)
		field(h, msg.ToolCallID)
		if msg.Content.IsParts {
			for _, p := range msg.Content.Parts {
				field(h, p.Type)
				field(h, p.Text)
				if p.ImageURL != nil {
					field(h, p.ImageURL.URL)
				}
			}
		} else {
			field(h, msg.Content.Text)
		}
		for _, tc := range msg.ToolCalls {
			field(h, tc.ID)
			field(h, tc.Function.Name)
			field(h, tc.Function.Arguments)
		}
	}
	if choice > 0 {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(choice))
		h.Write(n[:])
	}
}

// words returns the first two words of h's sum.
func words(h hash.Hash) (uint64, uint64) {
	sum := h.Sum(nil)
	return binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])
}

// field writes s length-prefixed, so distinct conversations never hash alike
// by shifting text between fields.
func field(h hash.Hash, s string) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s)))
	h.Write(n[:])
	h.Write([]byte(s))
}
