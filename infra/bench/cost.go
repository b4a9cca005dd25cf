package bench

import (
	"fmt"
	"math"
	"time"
)

// MicroUSD is an amount in millionths of a dollar. Projections are kept in
// integers, as every amount of money in Tollgate is.
type MicroUSD int64

// String renders the amount as dollars with four decimals.
func (m MicroUSD) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s$%d.%04d", sign, m/1_000_000, (m%1_000_000)/100)
}

// PricesAsOf dates the prices below: AWS's public list prices for
// us-east-1, on-demand, without free tier, as published on that date.
// They are list prices; re-check them before relying on a projection.
const PricesAsOf = "2025-06-01"

// AWS list prices, us-east-1, as of PricesAsOf.
const (
	// Lambda: $0.20 per million requests; arm64 duration $0.0000133334 per
	// GB-second (first 7.5 billion GB-s a month).
	priceLambdaRequests         MicroUSD = 200_000
	priceLambdaArmPicoPerGBSec           = 13_333_400
	priceAPIGatewayRESTPerMReqs MicroUSD = 3_500_000 // $3.50 per million (first 333 million a month)
	priceDynamoWRU              MicroUSD = 625_000   // $0.625 per million write request units (on-demand)
	priceDynamoRRU              MicroUSD = 125_000   // $0.125 per million read request units (on-demand)
	priceKMSPerMReqs            MicroUSD = 3_000_000 // $0.03 per 10,000 requests
	priceLogsPerGB              MicroUSD = 500_000   // CloudWatch Logs, $0.50 per GB ingested
)

// CostLine is one item of a cost projection.
type CostLine struct {
	Item  string
	Basis string // the measured quantity and price it rests on
	// PerMillion is the cost of a million gateway requests.
	PerMillion MicroUSD
}

// CostInput is what a projection rests on, all measured in the run except
// the function's memory (template.yaml).
type CostInput struct {
	Calls    Calls
	Billed   time.Duration // handler time per request (p50)
	MemoryMB int
	LogBytes float64 // log bytes per request
}

// projectCost prices a million gateway requests.
func projectCost(in CostInput) []CostLine {
	ms := int64(math.Ceil(float64(in.Billed) / float64(time.Millisecond))) // Lambda bills per started ms
	perM := func(perRequest float64, price MicroUSD) MicroUSD {
		return MicroUSD(math.Round(perRequest * float64(price)))
	}
	c := in.Calls
	lines := []CostLine{
		{"Lambda requests", "1 invocation per request at $0.20 per million", priceLambdaRequests},
		{"Lambda duration (arm64)", fmt.Sprintf("%d ms billed (handler p50, settlement included) × %d MB at $0.0000133334 per GB-s", ms, in.MemoryMB),
			MicroUSD(int64(priceLambdaArmPicoPerGBSec) * ms * int64(in.MemoryMB) / (1000 * 1024))},
		{"API Gateway REST", "1 request at $3.50 per million", priceAPIGatewayRESTPerMReqs},
		{"DynamoDB writes", fmt.Sprintf("%.2f WRU per request at $0.625 per million", c.PerRequest(c.WriteUnits)), perM(c.PerRequest(c.WriteUnits), priceDynamoWRU)},
		{"DynamoDB reads", fmt.Sprintf("%.2f RRU per request at $0.125 per million", c.PerRequest(c.ReadUnits)), perM(c.PerRequest(c.ReadUnits), priceDynamoRRU)},
		{"KMS", fmt.Sprintf("%.3f requests per request at $0.03 per 10,000", c.PerRequest(float64(c.ServiceCalls("kms")))), perM(c.PerRequest(float64(c.ServiceCalls("kms"))), priceKMSPerMReqs)},
		{"STS", fmt.Sprintf("%.3f AssumeRole per request (no charge)", c.PerRequest(float64(c.ServiceCalls("sts")))), 0},
		{"CloudWatch Logs", fmt.Sprintf("%.0f bytes of log per request at $0.50 per GB", in.LogBytes), MicroUSD(math.Round(in.LogBytes * 1e6 / 1e9 * float64(priceLogsPerGB)))},
	}
	return lines
}

// totalCost sums a projection.
func totalCost(lines []CostLine) MicroUSD {
	var t MicroUSD
	for _, l := range lines {
		t += l.PerMillion
	}
	return t
}

// modelSecondCost is what each second of waiting on the provider adds per
// million requests: Lambda bills the wall time of the invocation.
func modelSecondCost(memoryMB int) MicroUSD {
	return MicroUSD(int64(priceLambdaArmPicoPerGBSec) * 1000 * int64(memoryMB) / (1000 * 1024))
}
