package poller

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/dhl"
	"github.com/trackbot/trackbot/tracker/dhl/dhltest"
	"github.com/trackbot/trackbot/tracker/fedex"
	"github.com/trackbot/trackbot/tracker/fedex/fedextest"
	"github.com/trackbot/trackbot/tracker/seventeen"
	"github.com/trackbot/trackbot/tracker/seventeen/seventeentest"
	"github.com/trackbot/trackbot/tracker/ups"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
	"github.com/trackbot/trackbot/tracker/usps"
	"github.com/trackbot/trackbot/tracker/usps/uspstest"
)

// The lanes benchmark's schedule: 100,000 followed shipments over five
// carriers, due a thousand a minute (200 per carrier), played laneSpeed
// times faster than real time for laneMinutes minutes of schedule.
const (
	laneShipments = 100_000
	lanePerMinute = 1_000
	laneMinutes   = 8
	laneSpeed     = 20 // a minute of schedule in 3 s
)

// laneCarriers are the five, in the order their shipments interleave.
var laneCarriers = []string{"ups", "fedex", "dhl", "s10", "usps"}

// BenchmarkLanes plays a poll schedule over five carriers, each behind its
// real client and its in-process fake (UPS, FedEx, DHL, 17TRACK for S10
// numbers, USPS), with ticks every minute of schedule as cron would start
// them (overlapping when a tick still waits for a lane). "usps-paced"
// limits USPS to one call a minute, as its starter plan does; "usps-free"
// is the same schedule with USPS unpaced, for comparison. The metrics are
// the other four carriers' lateness (from the tick that found a shipment
// due to the carrier's answer for it, in real milliseconds) and rate: a
// paced lane that delays no other leaves them as they are without it.
//
//	go test -run '^$' -bench BenchmarkLanes -benchtime 1x ./tracker/poller
func BenchmarkLanes(b *testing.B) {
	for _, paced := range []bool{true, false} {
		name := "usps-free"
		if paced {
			name = "usps-paced"
		}
		b.Run(name, func(b *testing.B) {
			var late []time.Duration
			var polls int
			var took time.Duration
			var uspsPolled int
			for range b.N {
				r := playLanes(b, paced)
				late = append(late, r.late...)
				polls += len(r.late)
				took += r.took
				uspsPolled += r.uspsPolled
			}
			slices.Sort(late)
			ms := func(q float64) float64 {
				return float64(late[min(len(late)-1, int(q*float64(len(late))))].Microseconds()) / 1000
			}
			b.ReportMetric(ms(0.50), "others-late-p50-ms")
			b.ReportMetric(ms(0.99), "others-late-p99-ms")
			b.ReportMetric(ms(1), "others-late-max-ms")
			b.ReportMetric(float64(polls)/took.Seconds(), "others-polls/s")
			b.ReportMetric(float64(uspsPolled)/float64(b.N), "usps-polled")
		})
	}
}

// lanesRun is what one play of the schedule measured.
type lanesRun struct {
	late       []time.Duration // each of the other carriers' polls
	took       time.Duration   // first tick to the others' last answer
	uspsPolled int
}

// playClock runs speed times faster than real time from t0.
type playClock struct {
	t0, start time.Time
	speed     float64
}

func (c *playClock) Now() time.Time {
	return c.t0.Add(time.Duration(float64(time.Since(c.start)) * c.speed))
}

func playLanes(b *testing.B, paced bool) lanesRun {
	b.StopTimer()
	defer b.StartTimer()
	e := newEnv(b) // the store, and the 17TRACK fake with its quota lifted
	uf, ff, df, usf := upstest.NewServer(), fedextest.NewServer(), dhltest.NewServer(), uspstest.NewServer()
	for _, f := range []interface{ Close() }{uf, ff, df, usf} {
		b.Cleanup(f.Close)
	}
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	clk := &playClock{t0: t0, start: time.Now(), speed: laneSpeed}

	// Every carrier knows its played shipments: one scan, in transit.
	ships := make([]seeded, laneShipments)
	scan := t0.Add(-time.Hour)
	for i := range ships {
		carrier := laneCarriers[i%len(laneCarriers)]
		k := i / len(laneCarriers)
		var num string
		played := i < laneMinutes*lanePerMinute
		switch carrier {
		case "ups":
			num = upstest.TrackingNumber(k)
			if played {
				uf.SetShipment(num, upstest.Shipment{Events: []upstest.Event{{Time: scan, Status: tracker.StatusInTransit, City: "LOUISVILLE", State: "KY", Country: "US"}}})
			}
		case "fedex":
			num = fmt.Sprintf("7%011d", k)
			if played {
				ff.SetShipment(num, fedextest.Shipment{Events: []fedextest.Event{{Time: scan, Type: "IT", Description: "In transit", City: "MEMPHIS", State: "TN", Country: "US"}}})
			}
		case "dhl":
			num = fmt.Sprintf("41%08d", k)
			if played {
				df.SetShipment(num, dhltest.Shipment{Events: []dhltest.Event{{Time: scan, StatusCode: "transit", Description: "Processed", Locality: "LEIPZIG - GERMANY"}}})
			}
		case "s10":
			num = s10("RP", k, "DE")
			if played {
				e.fake.SetShipment(num, seventeentest.Shipment{Status: "InTransit", Events: []seventeentest.Event{
					{Time: scan, Description: "Departed", City: "Leipzig", Country: "DE", Stage: "Departure"}}})
			}
		case "usps":
			num = uspstest.TrackingNumber(k)
			if played {
				usf.SetShipment(num, uspstest.Shipment{Events: []uspstest.Event{{Time: scan, Status: tracker.StatusInTransit, Type: "Arrived", City: "RENO", State: "NV"}}})
			}
		}
		ships[i] = seeded{carrier: carrier, number: num, due: t0.Add(time.Duration(i/lanePerMinute) * time.Minute)}
	}
	bulkFollowShipments(b, e.path, 1000, ships, t0.Add(-24*time.Hour))

	q := quietLogger()
	uspsRate := rate.Inf
	if paced {
		uspsRate = rate.Every(time.Minute)
	}
	clients := map[string]tracker.Client{
		"ups":   ups.New(ups.Config{BaseURL: uf.URL(), ClientID: upstest.ClientID, ClientSecret: upstest.ClientSecret, Rate: rate.Inf, Logger: q}),
		"fedex": fedex.New(fedex.Config{BaseURL: ff.URL(), APIKey: fedextest.APIKey, SecretKey: fedextest.SecretKey, Rate: rate.Inf}),
		"dhl":   dhl.New(dhl.Config{BaseURL: df.URL(), APIKey: dhltest.APIKey, Rate: rate.Inf}),
		"usps": usps.New(usps.Config{BaseURL: usf.URL(), ClientID: uspstest.ClientID, ClientSecret: uspstest.ClientSecret,
			Rate: uspsRate, Burst: 1, Logger: q}),
	}
	agg := seventeen.New(seventeen.Config{BaseURL: e.fake.URL(), APIKey: seventeentest.APIKey, Rate: 1000, Logger: q, Now: clk.Now})
	uspsName := clients["usps"].Name()

	// Each carrier's polls come in due order (a lane is first in, first
	// out), so a carrier's n-th answer is for the minute n/perCarrier.
	const perCarrier = lanePerMinute / 5
	tickAt := make([]time.Time, laneMinutes)
	var (
		mu       sync.Mutex
		answered = map[string]int{}
		run      lanesRun
		othersN  int
		errs     int
		allIn    = make(chan struct{})
	)
	observe := func(client, outcome string, _ time.Duration) {
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		n := answered[client]
		answered[client]++
		if client == uspsName {
			run.uspsPolled++
			return
		}
		if outcome == "error" || outcome == "resting" {
			errs++
		}
		if m := n / perCarrier; m < laneMinutes {
			run.late = append(run.late, now.Sub(tickAt[m]))
			othersN++
			if othersN == 4*perCarrier*laneMinutes {
				run.took = now.Sub(tickAt[0])
				close(allIn)
			}
		}
	}
	p := New(Config{Store: e.store, Router: tracker.NewRouter(clients, agg), Logger: q, Now: clk.Now,
		Rand: func() float64 { return 0.5 }, Observe: observe,
		Lease: time.Hour}) // no shipment comes due twice while played

	// The schedule: a tick each minute of it, as cron starts them.
	ctx, cancel := context.WithCancel(context.Background())
	var ticks sync.WaitGroup
	defer func() { cancel(); ticks.Wait() }()
	minute := time.Duration(float64(time.Minute) / laneSpeed)
	clk.start = time.Now().Add(minute / 10) // the first tick a little after its minute begins
	b.StartTimer()
	for m := range laneMinutes {
		mu.Lock()
		tickAt[m] = clk.start.Add(time.Duration(m) * minute)
		mu.Unlock()
		time.Sleep(time.Until(tickAt[m]))
		ticks.Add(1)
		go func() { defer ticks.Done(); p.Tick(ctx) }()
	}
	select {
	case <-allIn:
	case <-time.After(3 * time.Minute):
		mu.Lock()
		b.Fatalf("the other carriers answered %d of %d polls in 3 min: %v", othersN, 4*perCarrier*laneMinutes, answered)
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	if errs > 0 {
		b.Fatalf("%d polls failed: %v", errs, answered)
	}
	return run
}
