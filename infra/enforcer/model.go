package enforcer

import (
	"fmt"
	"strings"

	"github.com/tollgate-dev/tollgate/infra/cfn"
)

// model is everything the enforcer knows about the stack, resolved from the
// template and the environment once (and again on UpdateEnv). It is immutable
// after build, so requests read it without locks.
type model struct {
	partition string
	region    string
	account   string

	roles       map[string]*role // by role ARN
	tables      map[string]*table
	tablesByARN map[string]*table
	keys        map[string]string // key ID -> key ARN
	aliases     map[string]string // "alias/name" -> key ARN
	queues      map[string]string // queue name -> queue ARN
}

func buildModel(t *cfn.Template, env cfn.Env) (*model, error) {
	if env.Region == "" || env.AccountID == "" {
		return nil, fmt.Errorf("environment needs a region and an account ID")
	}
	env, err := cfn.WithIAM(t, env)
	if err != nil {
		return nil, fmt.Errorf("derive IAM names: %w", err)
	}
	m := &model{
		partition:   env.PartitionOrDefault(),
		region:      env.Region,
		account:     env.AccountID,
		roles:       map[string]*role{},
		tables:      map[string]*table{},
		tablesByARN: map[string]*table{},
		keys:        map[string]string{},
		aliases:     map[string]string{},
		queues:      map[string]string{},
	}
	if err := m.addTables(t, env); err != nil {
		return nil, err
	}
	if err := m.addKeys(t, env); err != nil {
		return nil, err
	}
	m.addQueues(t, env)
	if err := m.addRoles(t, env); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *model) addKeys(t *cfn.Template, env cfn.Env) error {
	for _, id := range t.ResourcesOfType("AWS::KMS::Key") {
		ph, ok := env.Physical[id]
		if !ok {
			continue // not created locally; requests naming it use derived ARNs
		}
		arn := ph.Attrs["Arn"]
		if arn == "" {
			arn = m.arn("kms", "key/"+ph.Ref)
		}
		m.keys[ph.Ref] = arn
	}
	for _, id := range t.ResourcesOfType("AWS::KMS::Alias") {
		props := t.Resources[id].Properties
		name, err := t.Resolve(props["AliasName"], env)
		if err != nil {
			return fmt.Errorf("alias %s name: %w", id, err)
		}
		target, err := t.Resolve(props["TargetKeyId"], env)
		if err != nil {
			// The target key was not created locally: the alias cannot be used.
			continue
		}
		ns, ok1 := name.(string)
		ts, ok2 := target.(string)
		if !ok1 || !ok2 {
			return fmt.Errorf("alias %s: AliasName and TargetKeyId must be strings", id)
		}
		m.aliases[ns] = m.keyARN(ts)
	}
	return nil
}

func (m *model) addQueues(t *cfn.Template, env cfn.Env) {
	for _, id := range t.ResourcesOfType("AWS::SQS::Queue") {
		ph, ok := env.Physical[id]
		if !ok {
			continue
		}
		name := ph.Attrs["QueueName"]
		if name == "" {
			name = lastSegment(ph.Ref)
		}
		arn := ph.Attrs["Arn"]
		if arn == "" {
			arn = m.arn("sqs", name)
		}
		m.queues[name] = arn
	}
}

// arn builds an ARN in this stack's partition, region and account.
func (m *model) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", m.partition, service, m.region, m.account, resource)
}

// keyARN resolves a KMS KeyId (key ARN, key ID, alias name or alias ARN) to
// the key ARN IAM authorizes against. An alias the template does not define
// resolves to its own alias ARN, which no key-scoped policy matches.
func (m *model) keyARN(keyID string) string {
	if strings.HasPrefix(keyID, "arn:") {
		if _, res, ok := strings.Cut(keyID, ":alias/"); ok {
			if arn, ok := m.aliases["alias/"+res]; ok {
				return arn
			}
		}
		return keyID
	}
	if strings.HasPrefix(keyID, "alias/") {
		if arn, ok := m.aliases[keyID]; ok {
			return arn
		}
		return m.arn("kms", keyID)
	}
	if arn, ok := m.keys[keyID]; ok {
		return arn
	}
	return m.arn("kms", "key/"+keyID)
}

// queueARN resolves a queue URL (or bare queue name) to its ARN: template
// queues by name, anything else derived from the URL's account and name.
func (m *model) queueARN(urlOrName string) string {
	name := lastSegment(urlOrName)
	if arn, ok := m.queues[name]; ok {
		return arn
	}
	account := m.account
	parts := strings.Split(strings.Trim(pathOf(urlOrName), "/"), "/")
	if len(parts) >= 2 && isAccountID(parts[len(parts)-2]) {
		account = parts[len(parts)-2]
	}
	return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", m.partition, m.region, account, name)
}

func pathOf(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:]
		}
		return "/"
	}
	return u
}

func lastSegment(s string) string {
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
