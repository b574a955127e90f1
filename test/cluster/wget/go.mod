module cgks.test/wget

go 1.25
