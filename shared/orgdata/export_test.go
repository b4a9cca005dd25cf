package orgdata_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/tollgate-dev/tollgate/shared/orgdata"
)

// expectedFamily classifies a raw item the way an export must label it,
// written out independently of the package.
func expectedFamily(org, pk, sk string) string {
	base := "ORG#" + org
	if pk == base {
		for prefix, fam := range map[string]string{"WS#": "directory", "MEMBER#": "member", "EMAIL#": "email_guard",
			"TOKEN#": "token", "EXPIRES#": "trace_expiry", "DATAKEY": "data_key"} {
			if strings.HasPrefix(sk, prefix) {
				return fam
			}
		}
		return map[string]string{"ORG": "org", "OWNERS": "owners", "EVALKILL": "eval_kill"}[sk]
	}
	rest := strings.TrimPrefix(pk, base+"#")
	bySK := func(fams map[string]string, other string) string {
		for prefix, fam := range fams {
			if strings.HasPrefix(sk, prefix) {
				return fam
			}
		}
		return other
	}
	switch {
	case strings.HasPrefix(rest, "WS#"):
		return bySK(map[string]string{"SETTINGS": "workspace_settings", "ALIAS#": "alias", "ALIASV#": "alias_version", "CONN#": "connection"},
			"workspace_other")
	case strings.HasPrefix(rest, "EVAL#"):
		return bySK(map[string]string{"RUN": "eval_run", "STATE#": "eval_transition", "ITEM#": "eval_result", "LEASE#": "eval_lease",
			"CALL#": "eval_call"}, "eval_other")
	case strings.HasPrefix(rest, "REC#"):
		return bySK(map[string]string{"REC#": "recommendation", "RUN#": "recommendation_guard", "HIST#": "recommendation_history"},
			"recommendation_other")
	case rest == "REDACT":
		return "redact_marker"
	case rest == "DRIFT":
		return "drift_flag"
	}
	for prefix, fam := range map[string]string{"TR#": "trace", "AGG#": "aggregate", "BUDGET#": "budget", "RATE#": "rate",
		"RES#": "reservation", "AUDIT#": "audit", "IDEM#": "idempotency", "FB#": "feedback", "SHADOW#": "shadow_sample",
		"DSMETA#": "dataset", "DS#": "dataset_chunk", "EVALS#": "eval_list"} {
		if strings.HasPrefix(rest, prefix) {
			return fam
		}
	}
	return "?"
}

func TestExportHoldsEverythingButSecrets(t *testing.T) {
	ctx := ctxT(t)
	a, b := buildOrg(t), buildOrg(t)

	// What the table holds for a, by family: the export must match it.
	want := orgdata.Counts{}
	var wrapped, keyIDs []string
	for _, it := range orgItems(t, a.org) {
		pk, sk := str(it, "pk"), str(it, "sk")
		if pk != "ORG#"+a.org && !strings.HasPrefix(pk, "ORG#"+a.org+"#") {
			continue // token lookups and the registry entry are not the org's items
		}
		fam := expectedFamily(a.org, pk, sk)
		if fam == "data_key" {
			if w, ok := it["wrapped"].(*types.AttributeValueMemberB); ok {
				wrapped = append(wrapped, base64.StdEncoding.EncodeToString(w.Value))
				keyIDs = append(keyIDs, strings.TrimPrefix(sk, "DATAKEY#"))
			}
			continue
		}
		want[fam]++
	}
	if len(wrapped) == 0 {
		t.Fatal("the fixture has no data key")
	}

	var buf bytes.Buffer
	counts, err := orgdata.Export(ctx, a.sc.DynamoDB, stack.TableName, a.org, &buf)
	if err != nil {
		t.Fatal(err)
	}
	text := buf.String()

	lines := orgdata.Counts{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(nil, 1<<20)
	var settings map[string]any
	for sc.Scan() {
		var l struct {
			Family string         `json:"family"`
			Item   map[string]any `json:"item"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines[l.Family]++
		if l.Family == orgdata.FamilySettings {
			settings = l.Item
		}
	}
	if !maps.Equal(lines, want) || !maps.Equal(counts, want) {
		t.Fatalf("per family:\n table  %v\n lines  %v\n counts %v", want, lines, counts)
	}
	for _, fam := range []string{"org", "directory", "member", "email_guard", "owners", "token", "trace_expiry",
		"workspace_settings", "alias", "connection", "trace", "aggregate", "redact_marker", "budget", "rate", "reservation", "audit",
		"eval_kill", "eval_list", "eval_run", "eval_transition", "eval_result", "eval_lease", "eval_call", "dataset", "dataset_chunk",
		"shadow_sample", "recommendation", "recommendation_guard", "recommendation_history", "feedback", "drift_flag", "idempotency"} {
		if lines[fam] == 0 {
			t.Errorf("family %s missing from the export", fam)
		}
	}
	if rpm, ok := settings["rpm"].(float64); !ok || rpm != 100 {
		t.Errorf("settings rpm exported as %#v, want the number 100", settings["rpm"])
	}

	forbidden := map[string][]string{"provider key or prompt": a.plains, "token secret": a.tokens, "token hash": a.hashes,
		"wrapped data key": wrapped, "data key id": keyIDs, "other org": {b.org}}
	for _, v := range a.sealed {
		forbidden["sealed value"] = append(forbidden["sealed value"], v.value)
	}
	for what, values := range forbidden {
		for _, v := range values {
			if strings.Contains(text, v) {
				t.Errorf("the export contains a %s", what)
			}
		}
	}
	for _, attr := range []string{`"sealed_`, `"sealed"`, `"hash"`, `"prev_hash"`, `"wrapped"`} {
		if strings.Contains(text, attr) {
			t.Errorf("the export contains attribute %s", attr)
		}
	}
}
