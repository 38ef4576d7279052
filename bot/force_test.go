package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/trackbot/trackbot/bot/telegramtest"
)

// /track of a number whose check digit fails explains the typo and, since
// the user insists, offers "Track it anyway"; the button follows it as typed.
func TestTrackTypoAnyway(t *testing.T) {
	h := newHarness(t, 10)
	pc := telegramtest.Private(ann)
	bad := typo(upsNumber(5))

	// Pasted: explained, no button (the user did not insist).
	pasted := h.say(pc, ann, "here: "+bad, 1)[0]
	has(t, pasted, "check digit")
	if len(pasted.Markup.Buttons()) != 0 {
		t.Errorf("pasted typo has buttons: %+v", pasted.Markup)
	}

	r := h.say(pc, ann, "/track "+bad, 1)[0]
	has(t, r, bad, "check digit", "follow it anyway")
	data := button(t, r, ActForce)
	if data != "fa:0:ups:"+bad {
		t.Errorf("button data %q", data)
	}
	got := h.click(ann, r, data, 1)[0]
	has(t, got, "Following", bad, "UPS")
	subs, err := h.store.ChatSubscriptions(context.Background(), pc.ID)
	if err != nil || len(subs) != 1 || subs[0].Shipment.Number != bad || subs[0].Shipment.Carrier != "ups" {
		t.Fatalf("subscriptions %+v, %v", subs, err)
	}

	// A forged button for text that is no typo of that carrier does nothing.
	// (The test server only presses buttons that exist: ask the engine.)
	forged := h.app.Engine().HandleClick(context.Background(), Click{Chat: Chat{ID: pc.ID, Type: "private"}, From: User{ID: ann.ID}, Data: "fa:0:ups:HELLO"})
	if !strings.Contains(forged.Answer, "no longer works") {
		t.Errorf("forged button answer %q", forged.Answer)
	}
	if subs, _ := h.store.ChatSubscriptions(context.Background(), pc.ID); len(subs) != 1 {
		t.Errorf("forged button followed something: %+v", subs)
	}
}
