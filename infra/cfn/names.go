package cfn

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"strings"
)

// Resource types whose physical identity this package can derive by itself.
const (
	TypeRole          = "AWS::IAM::Role"
	TypeManagedPolicy = "AWS::IAM::ManagedPolicy"
)

// maxIAMNameLen is IAM's limit on role and policy names.
const maxIAMNameLen = 64

// RoleName returns the name of the AWS::IAM::Role logicalID: its RoleName
// property resolved, else "<StackName>-<LogicalID>" cut to 64 characters. The
// fallback is the local stack's naming convention: CloudFormation would append
// a random suffix, which no policy can refer to, so locally the name is kept
// predictable instead.
func RoleName(t *Template, logicalID string, env Env) (string, error) {
	return iamName(t, logicalID, TypeRole, "RoleName", env)
}

// RoleARN returns arn:<partition>:iam::<account>:role<path><name> for the
// AWS::IAM::Role logicalID, the ARN IAM gives the role when it is created.
func RoleARN(t *Template, logicalID string, env Env) (string, error) {
	name, err := RoleName(t, logicalID, env)
	if err != nil {
		return "", err
	}
	path, err := iamPath(t, logicalID, env)
	if err != nil {
		return "", err
	}
	if env.AccountID == "" {
		return "", fmt.Errorf("role %s: environment has no account ID", logicalID)
	}
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", env.PartitionOrDefault(), env.AccountID, path, name), nil
}

// ManagedPolicyARN returns the ARN of the AWS::IAM::ManagedPolicy logicalID:
// arn:<partition>:iam::<account>:policy<path><ManagedPolicyName or
// StackName-LogicalID>.
func ManagedPolicyARN(t *Template, logicalID string, env Env) (string, error) {
	name, err := iamName(t, logicalID, TypeManagedPolicy, "ManagedPolicyName", env)
	if err != nil {
		return "", err
	}
	path, err := iamPath(t, logicalID, env)
	if err != nil {
		return "", err
	}
	if env.AccountID == "" {
		return "", fmt.Errorf("managed policy %s: environment has no account ID", logicalID)
	}
	return fmt.Sprintf("arn:%s:iam::%s:policy%s%s", env.PartitionOrDefault(), env.AccountID, path, name), nil
}

// WithIAM returns a copy of env in which every IAM role and managed policy of
// the template that env does not already describe gets its physical identity
// by the local naming convention (roles: Ref = name, Attrs Arn and RoleId;
// managed policies: Ref = ARN, Attrs PolicyArn). IAM objects need no emulator
// to exist: their names are all the enforcing endpoint needs.
func WithIAM(t *Template, env Env) (Env, error) {
	out := env
	out.Physical = maps.Clone(env.Physical)
	if out.Physical == nil {
		out.Physical = map[string]Physical{}
	}
	for _, id := range t.ResourcesOfType(TypeRole) {
		if _, ok := env.Physical[id]; ok {
			continue
		}
		name, err := RoleName(t, id, env)
		if err != nil {
			return Env{}, err
		}
		arn, err := RoleARN(t, id, env)
		if err != nil {
			return Env{}, err
		}
		out.Physical[id] = Physical{Ref: name, Attrs: map[string]string{"Arn": arn, "RoleId": syntheticID("AROA", arn)}}
	}
	for _, id := range t.ResourcesOfType(TypeManagedPolicy) {
		if _, ok := env.Physical[id]; ok {
			continue
		}
		arn, err := ManagedPolicyARN(t, id, env)
		if err != nil {
			return Env{}, err
		}
		out.Physical[id] = Physical{Ref: arn, Attrs: map[string]string{"PolicyArn": arn}}
	}
	return out, nil
}

func iamName(t *Template, logicalID, typ, prop string, env Env) (string, error) {
	r, ok := t.Resources[logicalID]
	if !ok {
		return "", fmt.Errorf("%s: no such resource", logicalID)
	}
	if r.Type != typ {
		return "", fmt.Errorf("%s: is %s, want %s", logicalID, r.Type, typ)
	}
	if raw, ok := r.Properties[prop]; ok {
		v, err := t.Resolve(raw, env)
		if err != nil {
			return "", fmt.Errorf("%s %s: %w", logicalID, prop, err)
		}
		s, ok := v.(string)
		if !ok || s == "" {
			return "", fmt.Errorf("%s %s: resolved to %T, want a non-empty string", logicalID, prop, v)
		}
		return s, nil
	}
	if env.StackName == "" {
		return "", fmt.Errorf("%s: no %s and no stack name to derive one", logicalID, prop)
	}
	name := env.StackName + "-" + logicalID
	if len(name) > maxIAMNameLen {
		name = name[:maxIAMNameLen]
	}
	return name, nil
}

func iamPath(t *Template, logicalID string, env Env) (string, error) {
	raw, ok := t.Resources[logicalID].Properties["Path"]
	if !ok {
		return "/", nil
	}
	v, err := t.Resolve(raw, env)
	if err != nil {
		return "", fmt.Errorf("%s Path: %w", logicalID, err)
	}
	p, ok := v.(string)
	if !ok || !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") {
		return "", fmt.Errorf("%s Path: %v must start and end with /", logicalID, v)
	}
	return p, nil
}

// syntheticID makes a stable IAM-style unique ID (prefix + 17 upper-case
// characters) from a seed, so repeated runs produce the same ID.
func syntheticID(prefix, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return prefix + strings.ToUpper(hex.EncodeToString(sum[:]))[:17]
}
