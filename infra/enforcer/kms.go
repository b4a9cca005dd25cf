package enforcer

import (
	"encoding/json"
	"sort"
	"strings"
)

// kmsPrefix is the X-Amz-Target prefix of KMS's JSON API.
const kmsPrefix = "TrentService."

type kmsRequest struct {
	KeyID                        string            `json:"KeyId"`
	SourceKeyID                  string            `json:"SourceKeyId"`
	DestinationKeyID             string            `json:"DestinationKeyId"`
	TargetKeyID                  string            `json:"TargetKeyId"`
	AliasName                    string            `json:"AliasName"`
	EncryptionContext            map[string]string `json:"EncryptionContext"`
	SourceEncryptionContext      map[string]string `json:"SourceEncryptionContext"`
	DestinationEncryptionContext map[string]string `json:"DestinationEncryptionContext"`
	EncryptionAlgorithm          string            `json:"EncryptionAlgorithm"`
}

// kmsChecks maps a KMS request to its authorizations: kms:<Op> on the key ARN
// its KeyId resolves to ("*" without a KeyId), with the encryption context as
// kms:EncryptionContext:<k> and kms:EncryptionContextKeys.
func kmsChecks(m *model, op string, body []byte) ([]check, *awsError) {
	var q kmsRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &q); err != nil {
			return nil, serializationError("malformed KMS request")
		}
	}
	switch op {
	case "ReEncrypt":
		return []check{
			keyCheck(m, "kms:ReEncryptFrom", q.SourceKeyID, q.SourceEncryptionContext, q.EncryptionAlgorithm),
			keyCheck(m, "kms:ReEncryptTo", q.DestinationKeyID, q.DestinationEncryptionContext, q.EncryptionAlgorithm),
		}, nil
	case "CreateAlias", "UpdateAlias", "DeleteAlias":
		aliasARN := m.arn("kms", q.AliasName)
		checks := []check{{action: "kms:" + op, resource: aliasARN}}
		target := q.TargetKeyID
		if op == "DeleteAlias" {
			target = q.AliasName
		}
		if target != "" {
			checks = append(checks, check{action: "kms:" + op, resource: m.keyARN(target)})
		}
		return checks, nil
	}
	return []check{keyCheck(m, "kms:"+op, q.KeyID, q.EncryptionContext, q.EncryptionAlgorithm)}, nil
}

func keyCheck(m *model, action, keyID string, ec map[string]string, alg string) check {
	ch := check{action: action, resource: "*", context: map[string][]string{}}
	if keyID != "" {
		ch.resource = m.keyARN(keyID)
		if strings.HasPrefix(keyID, "alias/") || strings.Contains(keyID, ":alias/") {
			ch.context["kms:RequestAlias"] = []string{keyID[strings.Index(keyID, "alias/"):]}
		}
	}
	if len(ec) > 0 {
		keys := make([]string, 0, len(ec))
		for k, v := range ec {
			ch.context["kms:EncryptionContext:"+k] = []string{v}
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ch.context["kms:EncryptionContextKeys"] = keys
	}
	if alg != "" {
		ch.context["kms:EncryptionAlgorithm"] = []string{alg}
	}
	return ch
}
