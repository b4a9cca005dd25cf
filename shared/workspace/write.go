package workspace

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// The writers below are the single place that knows each item's shape; the
// management API and the local demo seed both use them.

// PutOrg writes an org's settings item.
func (s *Store) PutOrg(ctx context.Context, db DB, org string, o Org) error {
	for k, p := range o.PriceOverrides {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("price override %s: %w", k, err)
		}
	}
	return s.put(ctx, db, orgItem{PK: OrgPK(org), SK: skOrg, Name: o.Name, MonthlyCap: int64(o.MonthlyCap), PriceOverrides: o.PriceOverrides})
}

// PutSettings writes a workspace's settings item.
func (s *Store) PutSettings(ctx context.Context, db DB, org, ws string, st Settings) error {
	defer s.Invalidate(org, ws)
	return s.put(ctx, db, settingsItem{
		PK: PK(org, ws), SK: skSettings, Name: st.Name, MonthlyCap: int64(st.MonthlyCap), RPM: st.RPM, TPM: st.TPM,
		MaxOutputTokens: st.MaxOutputTokens, AllowedModels: st.AllowedModels, StoreContentAllowed: st.StoreContentAllowed,
		RedactAfterDays: st.RedactAfterDays, RetentionDays: st.RetentionDays,
		EvalMonthlyCap: int64(st.EvalMonthlyCap), ShadowPercent: st.ShadowSamplePercent, MarginBP: st.MarginBP,
	})
}

// PutAlias writes an alias's current version.
func (s *Store) PutAlias(ctx context.Context, db DB, org, ws string, a Alias) error {
	defer s.Invalidate(org, ws)
	targets := make([]string, len(a.Targets))
	for i, t := range a.Targets {
		targets[i] = t.String()
	}
	return s.put(ctx, db, aliasItem{PK: PK(org, ws), SK: skAliasPre + a.Name, Name: a.Name, Version: a.Version, Targets: targets})
}

// PutConnection writes a provider connection. Its key must already be sealed.
func (s *Store) PutConnection(ctx context.Context, db DB, org, ws string, c Connection) error {
	defer s.Invalidate(org, ws)
	return s.put(ctx, db, connItem{
		PK: PK(org, ws), SK: skConnPre + c.Name, Name: c.Name, Kind: c.Kind, BaseURL: c.BaseURL, Region: c.Region,
		APIVersion: c.APIVersion, SealedKey: c.SealedKey, AccessKeyID: c.AccessKeyID, SealedAWSSecret: c.SealedAWSSecret,
		Last4: c.Last4, Fingerprint: c.Fingerprint,
	})
}

func (s *Store) put(ctx context.Context, db DB, v any) error {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return fmt.Errorf("encode item: %w", err)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.cfg.Table), Item: item}); err != nil {
		return unavailable("write settings", err)
	}
	return nil
}
