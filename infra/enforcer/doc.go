// Package enforcer is the local stack's enforcing endpoint: an HTTP reverse
// proxy in front of DynamoDB Local and moto (STS, KMS, SQS) that authenticates
// every request by its SigV4 signature and authorizes it against the IAM
// policies read from template.yaml before forwarding it.
//
// Tenant isolation is an IAM promise (DESIGN §3) and no emulator evaluates IAM.
// Without this proxy a tenant session could read another org's items on a
// laptop and the bug would first surface in AWS. With it, `make run` and the
// tests see the same AccessDeniedException AWS would return.
//
// How a request is decided:
//
//   - The caller is identified by the access key in the Authorization header
//     and the signature is recomputed with the recorded secret. The Operator
//     key (the deployer, standing in for CloudFormation) may do anything. Every
//     other key must come from an sts:AssumeRole that went through this proxy:
//     the proxy checks the caller's identity policies and the target role's
//     trust policy, validates session tags as STS does, forwards the call to
//     moto and records the issued key with its role and tags.
//   - The request is mapped to IAM actions, resources and condition keys:
//     dynamodb:LeadingKeys from item keys, query key conditions, batch and
//     transaction items (using the key schemas declared in the template);
//     kms:EncryptionContext:* from KMS requests; the queue ARN for SQS.
//   - The role's policies (inline Policies, template-defined managed policies
//     and AWS::IAM::Policy resources attached to it, a permissions boundary and
//     an inline session policy when present) are evaluated by package
//     iampolicy. A refused request is answered with the service's own
//     AccessDenied shape and never forwarded.
//
// Deliberate limits, each failing closed:
//
//   - New refuses templates whose role policies test condition keys the proxy
//     does not compute, since an absent key would make ForAllValues vacuously
//     true.
//   - PartiQL statements carry no dynamodb:LeadingKeys (the proxy does not
//     parse WHERE clauses), so Allow statements conditioned on that key never
//     apply to them.
//   - A KMS Decrypt without KeyId is evaluated against resource "*" (the key is
//     inside the ciphertext, which the proxy does not open), so it is refused
//     under a key-scoped policy: clients must always send KeyId.
//   - Item operations on tables the template does not declare are refused for
//     role sessions: their key schema is unknown.
//   - AWS-managed policies (arn:aws:iam::aws:policy/…) are not modeled and
//     grant nothing locally.
//   - Key policies are not evaluated; Tollgate's key policy delegates to IAM.
//   - Only credentials issued by AssumeRole through the proxy are recognised.
//
// DynamoDB Local keeps one database per access key unless it runs with
// -sharedDb; the local stack must start it that way, since every tenant
// session has its own key.
package enforcer
