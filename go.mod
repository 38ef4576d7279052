module github.com/trackbot/trackbot

go 1.26.8

require (
	github.com/go-telegram/bot v1.19.0 // indirect
	github.com/kljensen/snowball v0.10.0 // indirect
	github.com/mattn/go-sqlite3 v1.14.53 // indirect
	github.com/prometheus/client_golang v1.25.0 // indirect
	github.com/robfig/cron/v3 v3.0.1 // indirect
	golang.org/x/time v0.16.0 // indirect
)
