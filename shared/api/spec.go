package api

import (
	_ "embed"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tollgate-dev/tollgate/shared/member"
)

// OpenAPI is the management API's OpenAPI 3 document: the single source of
// its routes.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Operation is one route of the document, with what the server enforces.
type Operation struct {
	ID         string // operationId
	Method     string
	Path       string // OpenAPI template, e.g. /api/v1/workspaces/{workspace}
	Scope      string // token scope: "read" or "admin"
	Permission string // member permission, see package member
	HasBody    bool
	Confirm    bool // needs an explicit confirmation (destructive)
	// MaxBody bounds the request body; 0 means the API's MaxBody.
	MaxBody int64
}

// Pattern is the operation's net/http ServeMux pattern.
func (o Operation) Pattern() string { return o.Method + " " + o.Path }

// validPath admits lower-case segments and {param} segments only, so every
// path is also a valid ServeMux pattern and API Gateway resource path.
var validPath = regexp.MustCompile(`^(/([a-z0-9-]+|\{[a-z_]+\}))+$`)

// Operations parses the embedded document, sorted by path and method.
func Operations() ([]Operation, error) {
	var doc struct {
		OpenAPI string                          `yaml:"openapi"`
		Paths   map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(OpenAPI, &doc); err != nil {
		return nil, fmt.Errorf("parse openapi.yaml: %w", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, fmt.Errorf("openapi.yaml: want OpenAPI 3, got %q", doc.OpenAPI)
	}
	var ops []Operation
	seen := map[string]bool{}
	for path, methods := range doc.Paths {
		if !strings.HasPrefix(path, "/api/v1/") || !validPath.MatchString(path) {
			return nil, fmt.Errorf("openapi.yaml: path %s is outside /api/v1", path)
		}
		for method, node := range methods {
			if method == "parameters" {
				continue
			}
			var op struct {
				ID          string    `yaml:"operationId"`
				Scope       string    `yaml:"x-tollgate-scope"`
				Permission  string    `yaml:"x-tollgate-permission"`
				Confirm     bool      `yaml:"x-tollgate-confirm"`
				MaxBody     int64     `yaml:"x-tollgate-max-body"`
				RequestBody yaml.Node `yaml:"requestBody"`
			}
			if err := node.Decode(&op); err != nil {
				return nil, fmt.Errorf("openapi.yaml %s %s: %w", method, path, err)
			}
			m := strings.ToUpper(method)
			switch {
			case op.ID == "" || seen[op.ID]:
				return nil, fmt.Errorf("openapi.yaml %s %s: missing or repeated operationId %q", m, path, op.ID)
			case op.Scope != "read" && op.Scope != "admin":
				return nil, fmt.Errorf("openapi.yaml %s: x-tollgate-scope must be read or admin", op.ID)
			case !slices.Contains(member.Permissions(), member.Permission(op.Permission)):
				return nil, fmt.Errorf("openapi.yaml %s: x-tollgate-permission %q is not a known permission", op.ID, op.Permission)
			case m != http.MethodGet && m != http.MethodPost && m != http.MethodPut && m != http.MethodPatch && m != http.MethodDelete:
				return nil, fmt.Errorf("openapi.yaml %s: method %s not allowed", op.ID, m)
			}
			seen[op.ID] = true
			ops = append(ops, Operation{ID: op.ID, Method: m, Path: path, Scope: op.Scope, Permission: op.Permission,
				HasBody: !op.RequestBody.IsZero(), Confirm: op.Confirm, MaxBody: op.MaxBody})
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops, nil
}
