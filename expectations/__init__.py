"""GX expectation suites as canonical JSON (one file per suite), shipped as package data of
`gongkai.expectations` and loaded into an ephemeral GX context by gongkai.checks."""
