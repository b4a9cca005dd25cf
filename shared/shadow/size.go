package shadow

import "encoding/base64"

// MaxSealedBytes bounds a sample's sealed document (300 KiB). With the keys
// and metadata the item stays well under DynamoDB's 400 KB item limit. A
// longer sample is refused (CodeTooLarge) and the gateway skips it: one item
// a sample keeps Put, Open and Delete single-request, at the price of a
// slight bias of shadow evaluations toward shorter calls.
const MaxSealedBytes = 300 << 10

// sealedLen is the length of secrets' v1 format for n bytes of plaintext:
// "v1." + a 23-byte data key ID + "." + base64url(12-byte nonce ||
// ciphertext || 16-byte tag). Put checks it before sealing, so an oversized
// sample costs no key work, and checks the real length after, so a change
// of format cannot slip an oversized item through.
func sealedLen(n int) int {
	const prefix = len("v1.") + len("dk_") + 20 + len(".")
	return prefix + base64.RawURLEncoding.EncodedLen(12+n+16)
}
