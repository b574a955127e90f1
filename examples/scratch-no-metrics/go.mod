module github.com/example/scratch-no-metrics

go 1.25.0

require (
	github.com/KimMachineGun/automemlimit v1.0.2
	github.com/caarlos0/env/v11 v11.4.1
	github.com/cenkalti/backoff/v5 v5.0.3
	github.com/rs/zerolog v1.35.1
)

require (
	github.com/mattn/go-colorable v0.1.16 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/pbnjay/memory v0.0.0-20210728143218-7b4eea64cf58 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
