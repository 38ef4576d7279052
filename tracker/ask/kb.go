package ask

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

// entry is one topic of the knowledge base: the cues that lead to it and the
// answer, written in our own words.
type entry struct {
	topic string
	// cues: "words:weight" separated by ";". All words of a cue must occur
	// in the question, in any order. Words are written naturally; they go
	// through the same folding and stemming as questions.
	cues string
	// status topics also score when the question asks for a meaning
	// ("what does … mean", "explain …") and one of their cues matched.
	status bool
	answer func(q query) string
}

// query is what an answer may draw on.
type query struct {
	parcels []Parcel
	now     time.Time
}

var kb = []entry{
	{topic: "find_tracking_number",
		cues: "tracking number:2; find tracking number:4; where tracking number:4; get tracking number:4; tracking code:2;" +
			"lost tracking number:3; see tracking number:3; look up tracking number:3; shown tracking number:3; tracking number email:3;" +
			"seller sent tracking number:3; where tracking:2; lost tracking:2; find tracking:2",
		answer: fixed("You usually find the tracking number in the shipping confirmation email or text from the shop, " +
			"and on the order's page in your account (on Amazon: Your Orders → Track package, where the carrier and number are shown " +
			"under the shipment details). If the shop never sent one, ask the seller for it: some cheap shipping options have none. " +
			"Once you have it, just send it to me and I will follow it.")},

	{topic: "status:info_received", status: true,
		cues:   "label created:3; label:2; shipping label:3; info received:3; information received:3; pre shipment:3; awaiting item:3; shipment information:2",
		answer: status(tracker.StatusInfoReceived)},
	{topic: "status:in_transit", status: true,
		cues:   "transit:3; on the way:2; moving through network:3; next facility:2",
		answer: status(tracker.StatusInTransit)},
	{topic: "status:out_for_delivery", status: true,
		cues:   "out for delivery:4; on vehicle for delivery:4; out delivery:3; vehicle:2",
		answer: status(tracker.StatusOutForDelivery)},
	{topic: "status:delivered", status: true,
		cues:   "delivered:3; delivered status:1",
		answer: status(tracker.StatusDelivered)},
	{topic: "status:attempt_failed", status: true,
		cues:   "attempted:3; delivery attempt:1; attempt failed:2; failed delivery:3; no access:3; notice left:2; no one available:2; card:3; missed:2",
		answer: status(tracker.StatusAttemptFailed)},
	{topic: "status:available_for_pickup", status: true,
		cues:   "ready for pickup:4; available for pickup:4; pickup:1.5; held at post office:4; awaiting pickup:3; pickup point:2; access point:2",
		answer: status(tracker.StatusAvailableForPickup)},
	{topic: "status:exception", status: true,
		cues:   "exception:4; operational delay:2",
		answer: status(tracker.StatusException)},
	{topic: "status:customs", status: true,
		cues:   "customs:3; held in customs:2; clearance:3; customs clearance:1",
		answer: status(tracker.StatusCustoms)},
	{topic: "status:returned", status: true,
		cues:   "returned:3; return to sender:3; returning to shipper:3",
		answer: status(tracker.StatusReturned)},
	{topic: "status:expired", status: true,
		cues:   "expired:4; tracking expired:1",
		answer: status(tracker.StatusExpired)},
	{topic: "status:not_found", status: true,
		cues:   "not found:3.5; found:1.5",
		answer: status(tracker.StatusNotFound)},
	{topic: "status:unknown", status: true,
		cues:   "unknown:3; status unknown:1; waiting first update:4; first update:3",
		answer: status(tracker.StatusUnknown)},
	{topic: "status:order_placed", status: true,
		cues: "order placed:4; placed:2; ordered not shipped:2; not shipped yet:2.5; preparing for shipment:4; preparing:2; shipping soon:4",
		answer: func(query) string {
			return tracker.ExplainStage(tracker.StageOrderPlaced) + "\n\n" + tracker.ExplainStage(tracker.StageShippingSoon)
		}},

	{topic: "activation_delay",
		cues: "shipped not tracking:4; shipped tracking yet:4; just shipped:3; shipped yesterday:3; not tracking information yet:4; tracking info yet:3;" +
			"tracking not available yet:4; tracking not available:2; tracking start:4; tracking starts working:2; tracking shows not:3; shipping email tracking:2;" +
			"how long until tracking:3; not work yet:3; shipped not updates:3; shipped no info:3",
		answer: activationAnswer},
	{topic: "not_updating",
		cues: "not updated:4; stuck:4; not moved:4; same facility:3;" +
			"days:1; week:1; lost:2; same place:3; same status:3; since:1",
		answer: notUpdatingAnswer},
	{topic: "late",
		cues: "late:4; overdue:4; should have arrived:4; should arrived:3; expected delivery date:3; delivery date:2; estimated date:3; estimated delivery:3;" +
			"delayed:3; past:1.5; passed:2; still no parcel:2; supposed to arrive:4",
		answer: lateAnswer},
	{topic: "delivered_not_received",
		cues: "delivered not received:6; delivered not here:6; delivered missing:6; delivered not have:6; delivered not arrive:6; delivered not parcel:5; delivered not door:5;" +
			"says delivered but:3; marked delivered:3; shows delivered but:3; delivered but:1",
		answer: deliveredNotReceivedAnswer},
	{topic: "damaged_or_wrong",
		cues: "damage:5; wrong item:5; wrong product:5; empty:5; someone else:4; parts missing:5; missing parts:5; contents:2; defective:4; not what i ordered:4",
		answer: fixed("If the parcel arrived damaged, the box was empty or part of the order is missing, or you got the wrong item " +
			"(or someone else's parcel), take photos of the box, the label and the contents before throwing anything away. " +
			"Then report it to the seller, not the carrier: the seller (on Amazon: Your Orders → Return or replace items, or the third-party seller) " +
			"sends a replacement or refunds you and claims from the carrier. Keep the packaging until it is settled. " +
			"Someone else's parcel: contact the carrier so they can collect it and deliver it properly.")},
	{topic: "invalid_number",
		cues: "invalid:5; not valid:5; not recognized:5; not recognised:5; wrong number:4; number wrong:4; number not work:3; tracking number not work:2; says invalid:1",
		answer: fixed("When I say a number is invalid, it does not fit any carrier's format or its check digit does not add up, " +
			"which usually means a typo, a missing character or letters confused with digits (O and 0, I and 1). " +
			"Copy it again straight from the shipping email, without spaces or extra characters. If I suggested a corrected number, try that. " +
			"If the number is right but the carrier still does not know it after two days, or it stays invalid, contact the seller for the right number and carrier.")},
	{topic: "amazon_vs_carrier",
		cues: "tba:5; tba number:2; amazon tracking number carrier:3; amazon number carrier:4; amazon different number:4; amazon logistics:4;" +
			"difference amazon:3; difference between order number tracking number:4; vs:2; versus:2; amazon carrier number:3; amazon order number:3; amazon tracking:1.5",
		answer: func(query) string { return tracker.ExplainAmazonReference() }},
	{topic: "track_without_login",
		cues: "without login:6; without account:6; not account:4; not login:4; need login:4; login track:3; guest:4; without logging:6; without signing:6; login:2; account:2",
		answer: fixed("You do not need an account to follow a parcel here: send me the tracking number and I check it for you, " +
			"no login required. Carriers' own tracking pages (UPS, USPS, FedEx, DHL, the national posts) also work without an account; " +
			"an account there only adds things like delivery changes. Amazon's order pages need your Amazon login, " +
			"but a TBA number can be opened on track.amazon.com, and a carrier number on the carrier's site, without signing in.")},
	{topic: "international",
		cues: "international:5; abroad:5; overseas:5; china:4; from country:3; country:3; customs duty:3; import:3; export:3; left country:4; leaving country:4;" +
			"changed carrier:4; local post:4; foreign:4; another country:4; shipped from:1.5; new tracking number:2",
		answer: internationalAnswer},
	{topic: "change_address",
		cues: "address:3; change address:3; redirect:5; reroute:5; new address:3; wrong address:3; moved:2; different address:3; update address:3",
		answer: fixed("To change the delivery address, ask the shop first if the parcel has not shipped yet: most can edit the order. " +
			"Once it is with the carrier, only the carrier (and sometimes only the sender) can redirect it: use the carrier's page for the number " +
			"(UPS My Choice, FedEx Delivery Manager, USPS Package Intercept or the post's redirection service), usually for a fee and not for every parcel. " +
			"On Amazon, addresses cannot be changed after dispatch; contact Amazon customer service. I cannot change an address myself.")},
	{topic: "contact_support",
		cues:   "contact:3; customer service:4; customer support:4; support:2; call:3; talk:3; speak:3; human:3; who call:2; service:1.5; someone at:2; phone number:2",
		answer: contactAnswer},
	{topic: "notifications",
		cues: "notify:5; mute:5; silence:5; stop sending:4; stop messages:4; turn off:3; messages:2; unsubscribe:4; updates me:2; notify updates:1",
		answer: fixed("I send a message to this chat whenever a parcel you follow changes status (shipped, out for delivery, delivered, a problem), " +
			"and once when it is time to contact customer service. You do not need to ask: I check on my own. " +
			"To stop messages for one parcel, mute or remove it from its message or from /list; send /help to see every command.")},
	{topic: "delivery_preferences",
		cues: "instructions:5; delivery instructions:2; leave door:4; leave neighbour:4; leave neighbor:4; neighbour:2; neighbor:2; back door:3; schedule:4;" +
			"delivery time:3; safe place:5; hold location:5; hold at:3; saturday:4; weekend:3; different day:4; delivery day:3; signature:3; deliver instead:2; leave:1.5",
		answer: fixed("Delivery preferences (a safe place, leave with a neighbour, instructions for the driver, a different day, holding it at a " +
			"location or pickup point, signature options) are set with the carrier, not with me: use the carrier's page for the number or its free " +
			"account service (UPS My Choice, FedEx Delivery Manager, USPS Informed Delivery, the post's app). For Amazon deliveries, add instructions to the " +
			"address in your Amazon account. What can be changed depends on the carrier and the sender.")},
	{topic: "hub_locker",
		cues: "locker:5; hub:4; pickup code:4; code:2; locker code:2",
		answer: fixed("A parcel locker (such as Amazon Hub Locker or a carrier's locker) holds parcels until you collect them. " +
			"When it arrives you get an email or app message with a pickup code or barcode; enter or scan it at the locker's screen and a door opens. " +
			"Lockers keep parcels only a few days (Amazon Hub: usually 3 calendar days), then send them back, so collect it soon. " +
			"No code? Check the email, the app and the order page; if it is not there, contact the seller or carrier (on Amazon, Amazon customer service).")},
	{topic: "my_packages",
		cues: "where parcel:4; where order:4; where is it:3; when arrive:2; when parcel:2; when will:2; when is:1; when order:2; my parcel:1;" +
			"status my:3; show my:3; show parcel:3; should contact:5; what should do:4; contact now:3; my order:1",
		answer: myPackagesAnswer},
	{topic: "bot_help",
		cues: "help:4; commands:5; what can you do:6; use this bot:6; use bot:4; bot:2; bot work:4; add tracking number:4; add:1.5; how does this work:3",
		answer: fixed("Send me a tracking number (or paste a whole shipping email) and I recognise the carrier, follow the parcel and message you " +
			"when it moves, with advice on when to wait and when to contact customer service. /list shows your parcels and marks those needing attention. " +
			"You can also ask questions in plain words, like \"what does exception mean\" or \"it says delivered but I never got it\". Send /help for every command.")},
}

const unknownAnswer = "Sorry, I didn't understand that. I'm a parcel-tracking bot: send me a tracking number, or ask about your parcels, " +
	"for example “where is my parcel?”, “what does exception mean?” or “it says delivered but I don't have it”. Send /help to see everything I can do."

func fixed(text string) func(query) string { return func(query) string { return text } }

func status(s tracker.Status) func(query) string { return func(query) string { return s.Explain() } }

func activationAnswer(q query) string {
	return "Tracking usually starts within 24 to 48 hours of the shipping notice: the label exists before the carrier has scanned the parcel, " +
		"and until then the carrier shows nothing or \"label created\". Nothing to do yet; I keep checking and tell you when it moves. " +
		"If there is still nothing 48 hours after you added it, the number may be mistyped or the seller may not have shipped yet: " +
		"check the number, then contact the seller." + parcelsNeedingAttention(q)
}

func notUpdatingAnswer(q query) string {
	return fmt.Sprintf("Tracking often pauses while a parcel travels between depots, over weekends and holidays, and much longer across borders. "+
		"For a domestic parcel, wait up to %s without a new scan; for an international one, up to %s. "+
		"After that it is probably stuck: contact customer service and ask them to locate it. I tell you when a parcel you follow reaches that point.",
		days(advice.Default.DomesticStall), days(advice.Default.InternationalStall)) + parcelsNeedingAttention(q)
}

func lateAnswer(q query) string {
	return "Estimated delivery dates slip, most often by a day. If the expected day has passed and the parcel is still not delivered, " +
		"contact customer service (for an online order, the seller can chase the carrier and offer a refund or replacement). " +
		"If the tracking also stopped moving, mention the date of the last scan." + parcelsNeedingAttention(q)
}

func deliveredNotReceivedAnswer(q query) string {
	return fmt.Sprintf("Most parcels marked delivered do turn up. First look around: the door, porch and any safe place, your mailbox or parcel locker, "+
		"neighbours, building management or reception, and anyone else at home. A parcel is sometimes scanned as delivered a little before it arrives. "+
		"If it is still missing after %s, contact customer service so they open an investigation (for an Amazon order, Amazon customer service; "+
		"for a third-party seller, the seller). For postal items the post's own missing-mail search takes longer and opens only about %s after sending.",
		hours(advice.Default.NotReceivedWait), days(advice.Default.PostalSearchAfter)) + parcelsNeedingAttention(q)
}

func internationalAnswer(q query) string {
	countries := map[string]bool{}
	var b strings.Builder
	for _, p := range q.parcels {
		if c := s10Country(p); c != "" && !countries[c] {
			countries[c] = true
			b.WriteString("\n\n" + labelOf(p) + ": " + tracker.ExplainInternational(c))
		}
	}
	if b.Len() > 0 {
		return strings.TrimPrefix(b.String(), "\n\n")
	}
	return tracker.ExplainInternational("")
}

func contactAnswer(q query) string {
	var b strings.Builder
	b.WriteString("Who to contact: for an Amazon order, Amazon customer service (Your Orders → the order → Get help), or the seller for an order " +
		"from a third-party seller. For anything else, the shop you bought from can act for you, or contact the carrier directly on its " +
		"customer-service page with the tracking number at hand. Late, stuck, damaged or missing parcels are usually best raised with the seller first.")
	seen := map[string]bool{}
	for _, p := range q.parcels {
		c := tracker.Carrier(p.Carrier)
		if c.Contact == "" || seen[c.Code] {
			continue
		}
		seen[c.Code] = true
		fmt.Fprintf(&b, "\n%s: %s", c.Name, c.Contact)
	}
	// "Should I contact support?" is also a question about the asker's own
	// parcels: say whether any of them needs it now.
	if attention := parcelsNeedingAttention(q); attention != "" {
		b.WriteString(attention)
	} else if len(q.parcels) > 0 {
		b.WriteString("\n\nNone of your parcels needs a call right now: I'll tell you when one does.")
	}
	return b.String()
}

// days renders a whole-day duration ("4 days").
func days(d time.Duration) string {
	return strconv.Itoa(int(d.Hours()/24)) + " days"
}

func hours(d time.Duration) string {
	return strconv.Itoa(int(d.Hours())) + " hours"
}
