// Package apigen writes the management API's routes into template.yaml
// from shared/api's OpenAPI document, so the REST API that API Gateway
// serves is built from the same document the router and the isolation
// suite read. The block sits between two marker lines; a test fails when
// it differs from what the document gives.
package apigen

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/shared/api"
)

// Markers delimit the generated block inside the Api's DefinitionBody paths.
const (
	Begin = "          # BEGIN management API routes, generated from shared/api/openapi.yaml by `go run ./infra/cmd/apigen`"
	End   = "          # END management API routes"
)

// Render returns the generated block, markers included.
func Render() (string, error) {
	ops, err := api.Operations()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(Begin + "\n")
	last := ""
	for _, op := range ops {
		if op.Path != last {
			fmt.Fprintf(&b, "          %s:\n", op.Path)
			last = op.Path
		}
		fmt.Fprintf(&b, "            %s:\n", strings.ToLower(op.Method))
		fmt.Fprintf(&b, "              operationId: %s\n", op.ID)
		b.WriteString("              x-amazon-apigateway-integration:\n")
		b.WriteString("                type: aws_proxy\n")
		b.WriteString("                httpMethod: POST\n")
		b.WriteString("                uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ApiFunction.Arn}/invocations\n")
	}
	b.WriteString(End + "\n")
	return b.String(), nil
}

// Apply replaces the block in template with Render's.
func Apply(template []byte) ([]byte, error) {
	block, err := Render()
	if err != nil {
		return nil, err
	}
	i := bytes.Index(template, []byte(Begin+"\n"))
	j := bytes.Index(template, []byte(End+"\n"))
	if i < 0 || j < i {
		return nil, fmt.Errorf("apigen: template.yaml lacks the %q … %q markers", Begin, End)
	}
	out := append([]byte{}, template[:i]...)
	out = append(out, block...)
	return append(out, template[j+len(End)+1:]...), nil
}
