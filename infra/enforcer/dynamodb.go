package enforcer

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// dynamoPrefix is the X-Amz-Target prefix of DynamoDB's JSON API.
const dynamoPrefix = "DynamoDB_20120810."

// ddbRequest holds the fields of any DynamoDB request that authorization
// reads. Values stay raw: only partition keys are decoded.
type ddbRequest struct {
	TableName                 string
	IndexName                 string
	Key                       map[string]json.RawMessage
	Item                      map[string]json.RawMessage
	KeyConditionExpression    string
	KeyConditions             map[string]ddbKeyCondition
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]json.RawMessage
	Select                    string
	ReturnValues              string
	ReturnConsumedCapacity    string
	RequestItems              map[string]json.RawMessage
	TransactItems             []map[string]json.RawMessage
	Statement                 string
	Statements                []ddbStatement
	TransactStatements        []ddbStatement
	ResourceArn               string
	BackupArn                 string
	TargetTableName           string
}

type ddbKeyCondition struct {
	ComparisonOperator string
	AttributeValueList []json.RawMessage
}

type ddbStatement struct {
	Statement string
}

// ddbTransactItem is one element of TransactGetItems / TransactWriteItems.
type ddbTransactItem struct {
	TableName string
	Key       map[string]json.RawMessage
	Item      map[string]json.RawMessage
}

// dynamoControl lists the control-plane operations and the request field that
// names their resource ("" means the resource is "*").
var dynamoControl = map[string]string{
	"CreateTable":                     "TableName",
	"DeleteTable":                     "TableName",
	"DescribeTable":                   "TableName",
	"UpdateTable":                     "TableName",
	"ListTables":                      "",
	"DescribeLimits":                  "",
	"DescribeEndpoints":               "",
	"DescribeTimeToLive":              "TableName",
	"UpdateTimeToLive":                "TableName",
	"DescribeContinuousBackups":       "TableName",
	"UpdateContinuousBackups":         "TableName",
	"CreateBackup":                    "TableName",
	"ListBackups":                     "",
	"DescribeBackup":                  "BackupArn",
	"DeleteBackup":                    "BackupArn",
	"RestoreTableFromBackup":          "TargetTableName",
	"RestoreTableToPointInTime":       "TargetTableName",
	"TagResource":                     "ResourceArn",
	"UntagResource":                   "ResourceArn",
	"ListTagsOfResource":              "ResourceArn",
	"DescribeContributorInsights":     "TableName",
	"UpdateContributorInsights":       "TableName",
	"ListContributorInsights":         "",
	"DescribeTableReplicaAutoScaling": "TableName",
	"GetResourcePolicy":               "ResourceArn",
	"PutResourcePolicy":               "ResourceArn",
	"DeleteResourcePolicy":            "ResourceArn",
}

const leadingKeys = "dynamodb:LeadingKeys"

// dynamoChecks maps a DynamoDB request to the authorizations IAM would make.
func dynamoChecks(m *model, op string, body []byte) ([]check, *awsError) {
	var q ddbRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &q); err != nil {
			return nil, serializationError("Start of structure or map found where not expected")
		}
	}
	extra := map[string][]string{}
	for k, v := range map[string]string{"dynamodb:Select": q.Select, "dynamodb:ReturnValues": q.ReturnValues, "dynamodb:ReturnConsumedCapacity": q.ReturnConsumedCapacity} {
		if v != "" {
			extra[k] = []string{v}
		}
	}

	switch op {
	case "GetItem", "UpdateItem", "DeleteItem":
		return []check{itemCheck(m, "dynamodb:"+op, q.TableName, []map[string]json.RawMessage{q.Key}, extra)}, nil
	case "PutItem":
		return []check{itemCheck(m, "dynamodb:PutItem", q.TableName, []map[string]json.RawMessage{q.Item}, extra)}, nil
	case "Query":
		return []check{queryCheck(m, q, extra)}, nil
	case "Scan":
		_, arn := m.tableRef(q.TableName)
		if q.IndexName != "" {
			arn += "/index/" + q.IndexName
		}
		return []check{{action: "dynamodb:Scan", resource: arn, context: extra}}, nil
	case "BatchGetItem":
		return batchGetChecks(m, q, extra)
	case "BatchWriteItem":
		return batchWriteChecks(m, q, extra)
	case "TransactGetItems", "TransactWriteItems":
		return transactChecks(m, op, q, extra)
	case "ExecuteStatement":
		return []check{partiqlCheck(m, q.Statement)}, nil
	case "BatchExecuteStatement", "ExecuteTransaction":
		list := q.Statements
		if op == "ExecuteTransaction" {
			list = q.TransactStatements
		}
		checks := make([]check, 0, len(list))
		for _, s := range list {
			checks = append(checks, partiqlCheck(m, s.Statement))
		}
		return checks, nil
	}
	if field, ok := dynamoControl[op]; ok {
		resource := "*"
		switch field {
		case "TableName":
			_, resource = m.tableRef(q.TableName)
		case "TargetTableName":
			_, resource = m.tableRef(q.TargetTableName)
		case "ResourceArn":
			resource = q.ResourceArn
		case "BackupArn":
			resource = q.BackupArn
		}
		if resource == "" {
			resource = "*"
		}
		return []check{{action: "dynamodb:" + op, resource: resource}}, nil
	}
	return nil, unknownOperation()
}

// itemCheck authorizes an item-level action on one table; items are the keys
// or items whose partition keys form dynamodb:LeadingKeys.
func itemCheck(m *model, action, tableName string, items []map[string]json.RawMessage, extra map[string][]string) check {
	tb, arn := m.tableRef(tableName)
	ch := check{action: action, resource: arn, context: copyContext(extra)}
	if tb == nil {
		ch.refusal = "the table is not declared in the template, so its partition key is unknown"
		return ch
	}
	var lk []string
	for _, it := range items {
		if v, ok := attrString(it[tb.hashKey]); ok {
			lk = append(lk, v)
		}
	}
	if len(lk) > 0 {
		ch.context[leadingKeys] = sortedUnique(lk)
	}
	return ch
}

func queryCheck(m *model, q ddbRequest, extra map[string][]string) check {
	tb, arn := m.tableRef(q.TableName)
	ch := check{action: "dynamodb:Query", resource: arn, context: copyContext(extra)}
	if tb == nil {
		ch.refusal = "the table is not declared in the template, so its partition key is unknown"
		return ch
	}
	hash := tb.hashKey
	if q.IndexName != "" {
		ch.resource = arn + "/index/" + q.IndexName
		h, ok := tb.indexes[q.IndexName]
		if !ok {
			ch.refusal = "the index is not declared in the template, so its partition key is unknown"
			return ch
		}
		hash = h
	}
	lk := queryLeadingKeys(q, hash)
	if len(lk) == 0 {
		ch.refusal = "the query's partition key value could not be determined from its key condition"
		return ch
	}
	ch.context[leadingKeys] = lk
	return ch
}

func batchGetChecks(m *model, q ddbRequest, extra map[string][]string) ([]check, *awsError) {
	var checks []check
	for _, name := range sortedTableNames(q.RequestItems) {
		var per struct{ Keys []map[string]json.RawMessage }
		if err := json.Unmarshal(q.RequestItems[name], &per); err != nil {
			return nil, serializationError("RequestItems: " + name)
		}
		checks = append(checks, itemCheck(m, "dynamodb:BatchGetItem", name, per.Keys, extra))
	}
	return checks, nil
}

func batchWriteChecks(m *model, q ddbRequest, extra map[string][]string) ([]check, *awsError) {
	var checks []check
	for _, name := range sortedTableNames(q.RequestItems) {
		var reqs []struct {
			PutRequest    *struct{ Item map[string]json.RawMessage }
			DeleteRequest *struct{ Key map[string]json.RawMessage }
		}
		if err := json.Unmarshal(q.RequestItems[name], &reqs); err != nil {
			return nil, serializationError("RequestItems: " + name)
		}
		var items []map[string]json.RawMessage
		for _, r := range reqs {
			switch {
			case r.PutRequest != nil:
				items = append(items, r.PutRequest.Item)
			case r.DeleteRequest != nil:
				items = append(items, r.DeleteRequest.Key)
			}
		}
		checks = append(checks, itemCheck(m, "dynamodb:BatchWriteItem", name, items, extra))
	}
	return checks, nil
}

// transactActions maps a transaction element to the IAM action it needs.
var transactActions = map[string]string{
	"Get":            "dynamodb:GetItem",
	"Put":            "dynamodb:PutItem",
	"Update":         "dynamodb:UpdateItem",
	"Delete":         "dynamodb:DeleteItem",
	"ConditionCheck": "dynamodb:ConditionCheckItem",
}

func transactChecks(m *model, op string, q ddbRequest, extra map[string][]string) ([]check, *awsError) {
	checks := make([]check, 0, len(q.TransactItems))
	for i, elem := range q.TransactItems {
		if len(elem) != 1 {
			return nil, validationError(fmt.Sprintf("TransactItems[%d]: want exactly one of Get, Put, Update, Delete, ConditionCheck", i))
		}
		for kind, raw := range elem {
			action, ok := transactActions[kind]
			if !ok || (op == "TransactGetItems") != (kind == "Get") {
				return nil, validationError(fmt.Sprintf("TransactItems[%d]: %s is not valid in %s", i, kind, op))
			}
			var it ddbTransactItem
			if err := json.Unmarshal(raw, &it); err != nil {
				return nil, serializationError(fmt.Sprintf("TransactItems[%d]", i))
			}
			key := it.Key
			if kind == "Put" {
				key = it.Item
			}
			checks = append(checks, itemCheck(m, action, it.TableName, []map[string]json.RawMessage{key}, extra))
		}
	}
	return checks, nil
}

// partiqlCheck authorizes one PartiQL statement by its verb. The enforcer
// does not read WHERE clauses, so the statement carries no leading keys and
// Allows conditioned on them do not apply.
func partiqlCheck(m *model, stmt string) check {
	verb, tableName, index, ok := partiqlTarget(stmt)
	if !ok {
		return check{action: "dynamodb:PartiQLSelect", resource: "*", refusal: "the PartiQL statement's verb and table could not be determined"}
	}
	_, arn := m.tableRef(tableName)
	if index != "" {
		arn += "/index/" + index
	}
	return check{action: "dynamodb:PartiQL" + verb, resource: arn, uncomputable: leadingKeys}
}

// attrString renders a key attribute value ({"S": …}, {"N": …}, {"B": …})
// as the string dynamodb:LeadingKeys holds.
func attrString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	var av map[string]json.RawMessage
	if err := json.Unmarshal(raw, &av); err != nil || len(av) != 1 {
		return "", false
	}
	for _, t := range []string{"S", "N", "B"} {
		if v, ok := av[t]; ok {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return "", false
			}
			return s, true
		}
	}
	return "", false
}

func sortedTableNames(m map[string]json.RawMessage) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

func copyContext(m map[string][]string) map[string][]string {
	out := make(map[string][]string, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// dynamoOp extracts the operation from X-Amz-Target; ok is false for targets
// of other APIs.
func dynamoOp(target string) (string, bool) {
	op, ok := strings.CutPrefix(target, dynamoPrefix)
	return op, ok && op != ""
}
