package bot

import (
	"context"
	"testing"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker/notice"
)

// A hand-off notice names the new carrier and number, and the parcel as the
// chat knows it (its label, its old number), escaped.
func TestRenderHandoffNotice(t *testing.T) {
	eng, sub := noticeEngine(t, "Mum's <gift>")
	ctx := context.Background()
	n := notice.Handoff{FromCarrier: "s10", FromNumber: "LX123456785CN", Carrier: "usps", Number: "9400100000000000000000"}
	if _, err := eng.store.Enqueue(ctx, storage.OutboxMessage{ChatID: sub.ChatID, SubscriptionID: sub.ID, DedupeKey: "h",
		Kind: string(notice.KindHandoff), Payload: notice.Encode(n)}); err != nil {
		t.Fatal(err)
	}
	items, err := eng.store.PendingOutbox(ctx, nt0, 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("pending %v, %v", items, err)
	}
	r, ok, err := eng.RenderOutbox(ctx, items[0])
	if !ok || err != nil {
		t.Fatalf("render: %v, %v", ok, err)
	}
	checkClean(t, r.Text, "Handed over to USPS", "9400100000000000000000", "LX123456785CN", "Mum&#39;s &lt;gift&gt;", "from now on")
	if len(r.Buttons) == 0 {
		t.Error("no parcel buttons")
	}
	// A stopped parcel's hand-off is not sent.
	if err := eng.store.Unsubscribe(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := eng.RenderOutbox(ctx, items[0]); ok || err != nil {
		t.Errorf("stopped parcel: ok %v, %v", ok, err)
	}
}
