// Package config reads a function's configuration from its environment,
// once, in main (DESIGN §11), and passes it down as plain values.
//
// A Reader collects every problem instead of stopping at the first, so a
// misconfigured deployment reports all its mistakes in one cold start:
//
//	env := config.FromOS()
//	cfg := gateway.Config{
//		Table:   env.String("TABLE_NAME"),
//		Timeout: env.Duration("UPSTREAM_TIMEOUT", 60*time.Second),
//		MaxBody: env.Int64("MAX_BODY_BYTES", 1<<20, 1<<10, 32<<20),
//	}
//	if err := env.Err(); err != nil {
//		log.Error("bad configuration", "err", err)
//		os.Exit(1)
//	}
//
// A variable set to the empty string counts as unset: deployment templates
// often pass empty parameters. Error messages name the variable and what is
// wrong with it; they quote the bad value only when the variable's name does
// not suggest a secret (KEY, SECRET, TOKEN, PASSWORD), and then scrubbed and
// shortened, so a configuration error never leaks a credential into a log.
package config
