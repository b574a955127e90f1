module cgks.test/loadgen

go 1.25
