package enforcer

import (
	"sync"
	"time"

	"github.com/tollgate-dev/tollgate/infra/iampolicy"
)

// session is a credential issued by AssumeRole through the enforcer. The
// secret and token are kept only to verify signatures; they are never logged.
type session struct {
	accessKeyID string
	secret      string
	token       string
	expires     time.Time

	roleARN     string
	roleName    string
	sessionName string
	// userID is aws:userid, "<role ID>:<session name>".
	userID string
	// tags are the session's principal tags: the role's tags overlaid with
	// transitive tags of the calling session and the tags passed to
	// AssumeRole.
	tags map[string]string
	// transitive lists the tag keys that pass on to chained sessions.
	transitive []string
	// policy is the inline session policy, nil when none was passed.
	policy *iampolicy.Policy
}

// sessionStore holds issued sessions, bounded: expired sessions are dropped
// when the store is full, then the soonest-expiring ones.
type sessionStore struct {
	mu  sync.Mutex
	m   map[string]*session
	max int
}

func newSessionStore(max int) *sessionStore {
	return &sessionStore{m: map[string]*session{}, max: max}
}

func (s *sessionStore) get(accessKeyID string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[accessKeyID]
	return sess, ok
}

func (s *sessionStore) put(sess *session, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.m[sess.accessKeyID]; !exists && len(s.m) >= s.max {
		for k, v := range s.m {
			if !now.Before(v.expires) {
				delete(s.m, k)
			}
		}
		for len(s.m) >= s.max {
			var oldest string
			for k, v := range s.m {
				if oldest == "" || v.expires.Before(s.m[oldest].expires) {
					oldest = k
				}
			}
			delete(s.m, oldest)
		}
	}
	s.m[sess.accessKeyID] = sess
}

func (s *sessionStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
