module cgksbench

go 1.25
