package poller

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/storage/storagetest"
	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/usps"
	"github.com/trackbot/trackbot/tracker/usps/uspstest"
)

// A carrier slower than the lease: two instances tick side by side on one
// database, the first claims every parcel, and its lane (USPS paced to four
// calls a second) cannot reach them all before the 6-second lease ends.
// It leaves the rest to lapse rather than ask for parcels the other has
// claimed again meanwhile: the carrier is asked for each parcel once.
func TestLaneLeavesWhatItsLeaseNoLongerCovers(t *testing.T) {
	storagetest.Each(t, testLaneLeavesWhatItsLeaseNoLongerCovers)
}

func testLaneLeavesWhatItsLeaseNoLongerCovers(t *testing.T, eng storagetest.Engine) {
	// The margin a lane keeps (a fifth of the lease) must cover one call
	// (its pacing included) even on a loaded machine under -race.
	const parcels, lease = 30, 6 * time.Second
	e := newEnvOn(t, eng)
	uf := uspstest.NewServer()
	t.Cleanup(uf.Close)
	var (
		mu    sync.Mutex
		asked = map[string]int{}
	)
	target, _ := url.Parse(uf.URL())
	proxy := httputil.NewSingleHostReverseProxy(target)
	counted := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth2/v3/token" {
			mu.Lock()
			asked[path.Base(r.URL.Path)]++
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(counted.Close)
	var (
		numbers []string
		ids     []int64
	)
	for i := range parcels {
		num := uspstest.TrackingNumber(70 + i)
		numbers = append(numbers, num)
		uf.SetShipment(num, uspstest.Shipment{Events: []uspstest.Event{{Time: e.clock.Now().Add(-time.Hour), Status: tracker.StatusInTransit, Type: "Arrived", City: "RENO", State: "NV"}}})
		ids = append(ids, e.followOn(t, 700, "usps", num).Shipment.ID)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	for range 2 {
		st, err := storage.Open(ctx, e.path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		client := usps.New(usps.Config{BaseURL: counted.URL, ClientID: uspstest.ClientID, ClientSecret: uspstest.ClientSecret,
			Rate: rate.Every(250 * time.Millisecond), Burst: 1, Logger: quietLogger()})
		p := New(Config{Store: st, Router: tracker.NewRouter(map[string]tracker.Client{"usps": client}, nil),
			Logger: quietLogger(), Lease: lease, Rand: func() float64 { return 0.5 }})
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				p.Tick(ctx) // ticks of one instance overlap too, as on a schedule
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
	}
	waitUntil(t, "every parcel polled", func() bool {
		for _, id := range ids {
			sh, err := e.store.Shipment(context.Background(), id)
			if err != nil || sh.PolledAt.IsZero() {
				return false
			}
		}
		return true
	})
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for _, num := range numbers {
		if asked[num] != 1 {
			t.Errorf("USPS asked for %s %d times, want once", num, asked[num])
		}
	}
}
