package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tollgate-dev/tollgate/infra/cfn"
)

// creators make one resource type of the template on the emulators and
// return what Ref and GetAtt resolve to. Types without a creator (functions,
// the API, schedules) are run by the local process, not created.
type creator func(ctx context.Context, s *Stack, logicalID string, props map[string]any) (cfn.Physical, error)

var creators = map[string]creator{
	"AWS::KMS::Key":        createKey,
	"AWS::KMS::Alias":      createAlias,
	"AWS::SQS::Queue":      createQueue,
	"AWS::DynamoDB::Table": createTable,
	"AWS::IAM::Role":       nameRole,
}

// createResources creates every resource it knows, in dependency order: a
// resource whose properties reference one not yet created waits for the next
// pass.
func createResources(ctx context.Context, s *Stack) error {
	pending := map[string]bool{}
	for typ := range creators {
		for _, id := range s.Template.ResourcesOfType(typ) {
			pending[id] = true
		}
	}
	for len(pending) > 0 {
		progress := false
		var lastErr error
		for id := range pending {
			res := s.Template.Resources[id]
			resolved, err := s.Template.Resolve(res.Properties, s.Env)
			if err != nil {
				lastErr = fmt.Errorf("%s: %w", id, err)
				continue
			}
			props, _ := resolved.(map[string]any)
			if props == nil {
				props = map[string]any{}
			}
			phys, err := creators[res.Type](ctx, s, id, props)
			if err != nil {
				return fmt.Errorf("create %s (%s): %w", id, res.Type, err)
			}
			s.Env.Physical[id] = phys
			delete(pending, id)
			progress = true
		}
		if !progress {
			return fmt.Errorf("unresolvable references: %w", lastErr)
		}
	}
	for id, p := range s.Env.Physical {
		switch s.Template.Resources[id].Type {
		case "AWS::DynamoDB::Table":
			if s.TableName == "" {
				s.TableName = p.Ref
			}
		case "AWS::KMS::Key":
			if s.KeyARN == "" {
				s.KeyARN = p.Attrs["Arn"]
			}
		}
	}
	s.TenantRoleARN = s.Env.Physical["TenantRole"].Attrs["Arn"]
	s.EvalQueueURL = s.Env.Physical["EvalQueue"].Ref
	s.EvalDLQURL = s.Env.Physical["EvalDeadLetterQueue"].Ref
	if s.TableName == "" || s.KeyARN == "" || s.TenantRoleARN == "" {
		return errors.New("template must define a table, a KMS key and TenantRole")
	}
	return nil
}

func (s *Stack) physicalName(logicalID string) string { return s.Env.StackName + "-" + logicalID }

func operatorAt(endpoint string) aws.Config {
	return awsConfig(endpoint, credentials.StaticCredentialsProvider{Value: OperatorCredentials})
}

func createKey(ctx context.Context, s *Stack, id string, props map[string]any) (cfn.Physical, error) {
	c := kms.NewFromConfig(operatorAt(s.MotoURL))
	desc, _ := props["Description"].(string)
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(desc)})
	if err != nil {
		return cfn.Physical{}, err
	}
	if rotate, _ := props["EnableKeyRotation"].(bool); rotate {
		if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: out.KeyMetadata.KeyId}); err != nil {
			return cfn.Physical{}, fmt.Errorf("enable rotation: %w", err)
		}
	}
	return cfn.Physical{Ref: *out.KeyMetadata.KeyId, Attrs: map[string]string{"Arn": *out.KeyMetadata.Arn, "KeyId": *out.KeyMetadata.KeyId}}, nil
}

func createAlias(ctx context.Context, s *Stack, id string, props map[string]any) (cfn.Physical, error) {
	name, _ := props["AliasName"].(string)
	target, _ := props["TargetKeyId"].(string)
	c := kms.NewFromConfig(operatorAt(s.MotoURL))
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(name), TargetKeyId: aws.String(target)}); err != nil {
		return cfn.Physical{}, err
	}
	return cfn.Physical{Ref: name, Attrs: map[string]string{}}, nil
}

func nameRole(_ context.Context, s *Stack, id string, _ map[string]any) (cfn.Physical, error) {
	name, err := cfn.RoleName(s.Template, id, s.Env)
	if err != nil {
		return cfn.Physical{}, err
	}
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", Partition, AccountID, name)
	return cfn.Physical{Ref: name, Attrs: map[string]string{"Arn": arn, "RoleId": "AROA" + name}}, nil
}

func createQueue(ctx context.Context, s *Stack, id string, props map[string]any) (cfn.Physical, error) {
	name := s.physicalName(id)
	attrs := map[string]string{}
	for _, k := range []string{"VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize"} {
		if v, ok := props[k]; ok {
			attrs[k] = fmt.Sprint(v)
		}
	}
	if rp, ok := props["RedrivePolicy"]; ok {
		b, err := json.Marshal(rp)
		if err != nil {
			return cfn.Physical{}, fmt.Errorf("encode redrive policy: %w", err)
		}
		attrs["RedrivePolicy"] = string(b)
	}
	c := sqs.NewFromConfig(operatorAt(s.MotoURL))
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return cfn.Physical{}, err
	}
	arn := fmt.Sprintf("arn:%s:sqs:%s:%s:%s", Partition, Region, AccountID, name)
	return cfn.Physical{Ref: *out.QueueUrl, Attrs: map[string]string{"Arn": arn, "QueueName": name, "QueueUrl": *out.QueueUrl}}, nil
}

// tableProps is the part of AWS::DynamoDB::Table that DynamoDB Local honours.
// SSE and point-in-time recovery have no local equivalent.
type tableProps struct {
	AttributeDefinitions []struct{ AttributeName, AttributeType string }
	KeySchema            []struct{ AttributeName, KeyType string }
	// GlobalSecondaryIndexes keep their CloudFormation shape.
	GlobalSecondaryIndexes []struct {
		IndexName  string
		KeySchema  []struct{ AttributeName, KeyType string }
		Projection struct {
			ProjectionType   string
			NonKeyAttributes []string
		}
	}
	TimeToLiveSpecification *struct {
		AttributeName string
		Enabled       bool
	}
}

func createTable(ctx context.Context, s *Stack, id string, raw map[string]any) (cfn.Physical, error) {
	b, err := json.Marshal(raw)
	if err != nil {
		return cfn.Physical{}, err
	}
	var p tableProps
	if err := json.Unmarshal(b, &p); err != nil {
		return cfn.Physical{}, fmt.Errorf("read table properties: %w", err)
	}
	keys := func(ks []struct{ AttributeName, KeyType string }) []ddbtypes.KeySchemaElement {
		out := make([]ddbtypes.KeySchemaElement, len(ks))
		for i, k := range ks {
			out[i] = ddbtypes.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: ddbtypes.KeyType(k.KeyType)}
		}
		return out
	}
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(s.physicalName(id)),
		BillingMode: ddbtypes.BillingModePayPerRequest,
		KeySchema:   keys(p.KeySchema),
	}
	for _, a := range p.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddbtypes.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: ddbtypes.ScalarAttributeType(a.AttributeType)})
	}
	for _, g := range p.GlobalSecondaryIndexes {
		proj := &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionType(g.Projection.ProjectionType)}
		if len(g.Projection.NonKeyAttributes) > 0 {
			proj.NonKeyAttributes = g.Projection.NonKeyAttributes
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, ddbtypes.GlobalSecondaryIndex{
			IndexName: aws.String(g.IndexName), KeySchema: keys(g.KeySchema), Projection: proj})
	}
	c := dynamodb.NewFromConfig(operatorAt(s.DynamoDBURL))
	out, err := c.CreateTable(ctx, in)
	if err != nil {
		return cfn.Physical{}, err
	}
	if ttl := p.TimeToLiveSpecification; ttl != nil && ttl.Enabled {
		if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: in.TableName,
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{
				AttributeName: aws.String(ttl.AttributeName), Enabled: aws.Bool(true)},
		}); err != nil {
			return cfn.Physical{}, fmt.Errorf("enable TTL: %w", err)
		}
	}
	arn := fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", Partition, Region, AccountID, *in.TableName)
	return cfn.Physical{Ref: *in.TableName, Attrs: map[string]string{
		"Arn": arn, "StreamArn": arn + "/stream/" + strconv.FormatInt(out.TableDescription.CreationDateTime.Unix(), 10)}}, nil
}
