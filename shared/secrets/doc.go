// Package secrets envelope-encrypts tenant secrets (DESIGN §4).
//
// Each org has its own 256-bit data key, made by KMS GenerateDataKey under the
// deployment's key with encryption context {org, purpose} and stored only
// wrapped, in the org's own partition. It is unwrapped with the org's scoped
// credentials, so TenantRole's KMS condition refuses a wrapped key swapped in
// from another org. Each secret is AES-256-GCM under that key, with additional
// data binding org, purpose and record, and is stored as
//
//	v1.<dataKeyID>.<base64url(nonce || ciphertext || tag)>
//
// The version prefix and the data key ID let new formats and rotated keys
// coexist with old records. Deleting an org's wrapped data keys
// (DestroyKeys) makes every one of its ciphertexts unreadable.
package secrets
