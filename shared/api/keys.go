package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/apperr"
	"github.com/tollgate-dev/tollgate/shared/scrub"
	"github.com/tollgate-dev/tollgate/shared/secrets"
	"github.com/tollgate-dev/tollgate/shared/workspace"
)

// Provider keys (BYOK) are stored only sealed, through package secrets,
// and are never returned: listings show the last four characters and a
// fingerprint, so people can tell keys apart without seeing them.

func listKeys(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	list, err := c.srv.cfg.Workspaces.ListConnections(c.ctx, c.scoped.DynamoDB, c.org(), e.ID)
	if err != nil {
		return 0, nil, err
	}
	if list == nil {
		list = []workspace.ConnectionInfo{}
	}
	return http.StatusOK, map[string]any{"data": list}, nil
}

type keyInput struct {
	Kind       string `json:"kind"`
	APIKey     string `json:"api_key"`
	BaseURL    string `json:"base_url"`
	Region     string `json:"region"`
	APIVersion string `json:"api_version"`
	// Bedrock with AWS credentials instead of an API key.
	AccessKeyID     string `json:"aws_access_key_id"`
	SecretAccessKey string `json:"aws_secret_access_key"`
}

// maxKeyBytes bounds a provider key; real ones are well under 300 bytes.
const maxKeyBytes = 4096

func (in keyInput) validate(check func(*url.URL) error) error {
	bad := func(code, param, msg string) error { return apperr.New(apperr.Invalid, code, msg).WithParam(param) }
	switch {
	case !slices.Contains(workspace.Kinds, in.Kind) || in.Kind == workspace.KindMock:
		return bad("invalid_kind", "kind", "kind must be one of openai, azure, anthropic, gemini, bedrock")
	case in.APIKey == "" && in.SecretAccessKey == "":
		return bad("key_required", "api_key", "api_key (or, for bedrock, AWS credentials) is required")
	case len(in.APIKey) > maxKeyBytes || len(in.SecretAccessKey) > maxKeyBytes || len(in.AccessKeyID) > 128:
		return bad("key_too_long", "api_key", "the key is longer than any provider issues")
	case strings.ContainsAny(in.APIKey+in.SecretAccessKey+in.AccessKeyID, " \t\r\n"):
		return bad("invalid_key", "api_key", "the key must not contain whitespace")
	case (in.SecretAccessKey != "") != (in.AccessKeyID != "") || (in.SecretAccessKey != "" && in.Kind != workspace.KindBedrock):
		return bad("invalid_aws_credentials", "aws_access_key_id", "AWS credentials need both parts, and only for bedrock")
	case len(in.Region) > 32 || len(in.APIVersion) > 32:
		return bad("invalid_region", "region", "region and api_version are at most 32 characters")
	case (in.Kind == workspace.KindAzure) && in.BaseURL == "":
		return bad("base_url_required", "base_url", "azure connections need the resource's base_url")
	case in.Kind == workspace.KindBedrock && in.Region == "":
		return bad("region_required", "region", "bedrock connections need a region")
	}
	if scrub.Contains(in.BaseURL + " " + in.Region + " " + in.APIVersion) {
		return bad("credential_in_body", "base_url", "a credential belongs in api_key, never in the URL or other fields")
	}
	if in.BaseURL != "" {
		u, err := url.Parse(in.BaseURL)
		if err != nil || len(in.BaseURL) > 512 {
			return bad("invalid_url", "base_url", "base_url is not a valid URL")
		}
		if err := check(u); err != nil {
			return err // typed: invalid_url or destination_blocked, naming no internal address
		}
	}
	return nil
}

func putKey(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	name := c.r.PathValue("connection")
	if !workspace.ValidConnectionName(name) {
		return 0, nil, apperr.New(apperr.Invalid, "invalid_connection_name",
			"connection names are 1-32 of a-z, 0-9, _ and -").WithParam("connection")
	}
	var in keyInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	if err := in.validate(c.srv.cfg.CheckURL); err != nil {
		return 0, nil, err
	}
	scope := secrets.Scope{Org: c.org(), DynamoDB: c.scoped.DynamoDB, KMS: c.scoped.KMS}
	record := workspace.KeyRecord(e.ID, name)
	// The AWS key ID is sealed with its secret: both are credential-shaped,
	// and nothing credential-shaped is stored in clear.
	conn := workspace.Connection{Name: name, Kind: in.Kind, BaseURL: in.BaseURL, Region: in.Region, APIVersion: in.APIVersion}
	secret := in.APIKey
	if in.APIKey != "" {
		if conn.SealedKey, err = c.srv.cfg.Secrets.Seal(c.ctx, scope, workspace.PurposeProviderKey, record, []byte(in.APIKey)); err != nil {
			return 0, nil, err
		}
	}
	if in.SecretAccessKey != "" {
		secret = in.SecretAccessKey
		pair := in.AccessKeyID + "\n" + in.SecretAccessKey
		if conn.SealedAWSSecret, err = c.srv.cfg.Secrets.Seal(c.ctx, scope, workspace.PurposeProviderKey, record, []byte(pair)); err != nil {
			return 0, nil, err
		}
	}
	conn.Last4, conn.Fingerprint = workspace.KeyLast4(secret), workspace.KeyFingerprint([]byte(secret))
	before, _ := c.srv.cfg.Workspaces.ListConnections(c.ctx, c.scoped.DynamoDB, c.org(), e.ID)
	if err := c.srv.cfg.Workspaces.PutConnection(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, conn); err != nil {
		return 0, nil, err
	}
	info := workspace.ConnectionInfo{Name: name, Kind: conn.Kind, BaseURL: conn.BaseURL, Region: conn.Region,
		APIVersion: conn.APIVersion, Last4: conn.Last4, Fingerprint: conn.Fingerprint}
	var was map[string]any
	for _, b := range before {
		if b.Name == name {
			was = map[string]any{"kind": b.Kind, "fingerprint": b.Fingerprint, "last4": b.Last4}
		}
	}
	if err := c.record("key.put", "connection", e.ID+"/"+name, was,
		map[string]any{"kind": info.Kind, "fingerprint": info.Fingerprint, "last4": info.Last4}); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, info, nil
}

func deleteKey(c *call) (int, any, error) {
	e, err := pathWorkspace(c)
	if err != nil {
		return 0, nil, err
	}
	name := c.r.PathValue("connection")
	if !workspace.ValidConnectionName(name) {
		return 0, nil, notFound("connection_not_found", "no such provider connection")
	}
	if err := c.srv.cfg.Workspaces.DeleteConnection(c.ctx, c.scoped.DynamoDB, c.org(), e.ID, name); err != nil {
		return 0, nil, err
	}
	if err := c.record("key.delete", "connection", e.ID+"/"+name, nil, nil); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}
