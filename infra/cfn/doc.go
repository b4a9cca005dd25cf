// Package cfn reads template.yaml, the one definition of Tollgate's AWS
// resources, and resolves its intrinsic functions (!Ref, !GetAtt, !Sub, …)
// against the physical names of resources that exist on this machine.
//
// It exists so that the local stack builds its table, key, queues and, above
// all, its IAM policies from the same text that `sam deploy` ships: the
// enforcing endpoint evaluates the policies this package resolves, so a policy
// edit is tested locally before it reaches AWS. There is no second copy of a
// policy to drift.
//
// The package understands the short YAML tags (!Ref, !GetAtt, !Sub, !Join,
// !Select, !Split, !If, !Equals, !Not, !And, !Or, !Condition, !FindInMap,
// !Base64) and their long forms ({"Fn::GetAtt": …}). Load keeps every
// intrinsic as data; Resolve evaluates a value against an Env. Strings outside
// !Sub are never interpolated, so IAM policy variables such as
// "ORG#${aws:PrincipalTag/org}" reach the policy evaluator untouched.
//
// Naming convention for the local stack: a resource with no explicit name
// property is named "<StackName>-<LogicalID>" (CloudFormation adds a random
// suffix; locally the name must be predictable). RoleName applies it to IAM
// roles and WithIAM derives the ARNs of roles and managed policies from it.
package cfn
