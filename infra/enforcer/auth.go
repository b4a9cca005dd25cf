package enforcer

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
)

// authenticate identifies the caller by access key, checks the session
// token and expiry, and verifies the signature.
func (e *Enforcer) authenticate(r *http.Request, body []byte, a authHeader) (*caller, *awsError) {
	m := e.model.Load()
	var c *caller
	var secret string
	if a.accessKeyID == e.cfg.Operator.AccessKeyID {
		c = &caller{operator: true, accessKeyID: a.accessKeyID, arn: fmt.Sprintf("arn:%s:iam::%s:root", m.partition, m.account)}
		secret = e.cfg.Operator.SecretAccessKey
	} else {
		sess, ok := e.sessions.get(a.accessKeyID)
		if !ok {
			return nil, unrecognizedClient()
		}
		token := r.Header.Get("X-Amz-Security-Token")
		if subtle.ConstantTimeCompare([]byte(token), []byte(sess.token)) != 1 {
			return nil, unrecognizedClient()
		}
		if !e.now().Before(sess.expires) {
			return nil, expiredToken()
		}
		c = &caller{accessKeyID: a.accessKeyID, sess: sess,
			arn: fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", m.partition, m.account, sess.roleName, sess.sessionName)}
		secret = sess.secret
	}
	if err := verifySignature(r, body, a, secret, e.now()); err != nil {
		var se *signatureError
		if errors.As(err, &se) {
			return nil, invalidSignature(se.msg)
		}
		e.log.Error("signature check failed", "access_key_id", a.accessKeyID, "err", err)
		return nil, invalidSignature(mismatchMsg)
	}
	return c, nil
}
