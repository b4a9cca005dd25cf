package enforcer

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/infra/cfn"
)

// table is a DynamoDB table declared in the template: the partition key
// attribute of the table and of each index is what dynamodb:LeadingKeys is
// read from.
type table struct {
	logicalID string
	name      string
	arn       string
	hashKey   string
	// indexes maps an index name (global or local) to its partition key.
	indexes map[string]string
}

func (m *model) addTables(t *cfn.Template, env cfn.Env) error {
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable"} {
		for _, id := range t.ResourcesOfType(typ) {
			ph, ok := env.Physical[id]
			if !ok || ph.Ref == "" {
				continue // not created locally
			}
			tb := &table{logicalID: id, name: ph.Ref, arn: ph.Attrs["Arn"], indexes: map[string]string{}}
			if tb.arn == "" {
				tb.arn = m.arn("dynamodb", "table/"+tb.name)
			}
			props := t.Resources[id].Properties
			var err error
			if typ == "AWS::Serverless::SimpleTable" {
				tb.hashKey, err = simpleTableKey(t, props, env)
			} else {
				err = tb.readKeySchemas(t, props, env)
			}
			if err != nil {
				return fmt.Errorf("table %s: %w", id, err)
			}
			m.tables[tb.name] = tb
			m.tablesByARN[tb.arn] = tb
		}
	}
	return nil
}

func (tb *table) readKeySchemas(t *cfn.Template, props map[string]any, env cfn.Env) error {
	ks, err := t.Resolve(props["KeySchema"], env)
	if err != nil {
		return fmt.Errorf("KeySchema: %w", err)
	}
	tb.hashKey, err = hashKeyOf(ks)
	if err != nil {
		return fmt.Errorf("KeySchema: %w", err)
	}
	for _, prop := range []string{"GlobalSecondaryIndexes", "LocalSecondaryIndexes"} {
		raw, ok := props[prop]
		if !ok {
			continue
		}
		v, err := t.Resolve(raw, env)
		if err != nil {
			return fmt.Errorf("%s: %w", prop, err)
		}
		list, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s is %T, want a list", prop, v)
		}
		for _, iv := range list {
			idx, ok := iv.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: index is %T", prop, iv)
			}
			name, _ := idx["IndexName"].(string)
			if name == "" {
				return fmt.Errorf("%s: index without IndexName", prop)
			}
			hk, err := hashKeyOf(idx["KeySchema"])
			if err != nil {
				return fmt.Errorf("index %s: %w", name, err)
			}
			tb.indexes[name] = hk
		}
	}
	return nil
}

// hashKeyOf returns the HASH attribute of a resolved KeySchema list.
func hashKeyOf(v any) (string, error) {
	list, ok := v.([]any)
	if !ok {
		return "", fmt.Errorf("key schema is %T, want a list", v)
	}
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if kt, _ := m["KeyType"].(string); strings.EqualFold(kt, "HASH") {
			if name, _ := m["AttributeName"].(string); name != "" {
				return name, nil
			}
		}
	}
	return "", fmt.Errorf("no HASH key")
}

func simpleTableKey(t *cfn.Template, props map[string]any, env cfn.Env) (string, error) {
	raw, ok := props["PrimaryKey"]
	if !ok {
		return "id", nil // SAM's default primary key
	}
	v, err := t.Resolve(raw, env)
	if err != nil {
		return "", fmt.Errorf("PrimaryKey: %w", err)
	}
	pk, _ := v.(map[string]any)
	name, _ := pk["Name"].(string)
	if name == "" {
		return "", fmt.Errorf("PrimaryKey without Name")
	}
	return name, nil
}

// tableRef resolves a TableName parameter (a name or, as DynamoDB accepts, a
// table ARN) to the template's table, if it is one, and the table's ARN.
func (m *model) tableRef(ref string) (*table, string) {
	if strings.HasPrefix(ref, "arn:") {
		if tb, ok := m.tablesByARN[ref]; ok {
			return tb, tb.arn
		}
		return nil, ref
	}
	if tb, ok := m.tables[ref]; ok {
		return tb, tb.arn
	}
	return nil, m.arn("dynamodb", "table/"+ref)
}
