package ask

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
	"github.com/trackbot/trackbot/tracker/advice"
)

// entry is one topic of the knowledge base: a short title (the button that
// offers it when the bot asks back) and the answer, written in our own
// words. Texts are keyed by topic so another language can supply its own.
type entry struct {
	topic  string
	title  string
	answer func(q query) string
}

// query is what an answer may draw on.
type query struct {
	parcels  []Parcel
	now      time.Time
	question string // as asked; empty when a topic was picked from a button
	named    bool   // parcels holds only the parcels the question is about, already shown
	topic    string // what the answer is about, when it starts with the parcels
}

var kb = []entry{
	{topic: "find_tracking_number", title: "Finding your tracking number",
		answer: fixed("You usually find the tracking number in the shipping confirmation email or text from the shop, " +
			"and on the order's page in your account (on Amazon: Your Orders → Track package, where the carrier and number are shown " +
			"under the shipment details). If the shop never sent one, ask the seller for it: some cheap shipping options have none. " +
			"Once you have it, just send it to me and I will follow it.")},

	statusEntry(tracker.StatusInfoReceived),
	statusEntry(tracker.StatusInTransit),
	statusEntry(tracker.StatusOutForDelivery),
	statusEntry(tracker.StatusDelivered),
	statusEntry(tracker.StatusAttemptFailed),
	statusEntry(tracker.StatusAvailableForPickup),
	statusEntry(tracker.StatusException),
	statusEntry(tracker.StatusCustoms),
	statusEntry(tracker.StatusReturned),
	statusEntry(tracker.StatusExpired),
	statusEntry(tracker.StatusNotFound),
	statusEntry(tracker.StatusUnknown),
	{topic: "status:order_placed", title: "What “Order placed” means",
		answer: func(query) string {
			return tracker.ExplainStage(tracker.StageOrderPlaced) + "\n\n" + tracker.ExplainStage(tracker.StageShippingSoon)
		}},

	{topic: "activation_delay", title: "No tracking yet after shipping",
		answer: activationAnswer},
	{topic: "not_updating", title: "Tracking not updating",
		answer: notUpdatingAnswer},
	{topic: "late", title: "Parcel is late",
		answer: lateAnswer},
	{topic: "delivered_not_received", title: "Says delivered, not received",
		answer: deliveredNotReceivedAnswer},
	{topic: "damaged_or_wrong", title: "Damaged or wrong item",
		answer: fixed("If the parcel arrived damaged, the box was empty or part of the order is missing, or you got the wrong item " +
			"(or someone else's parcel), take photos of the box, the label and the contents before throwing anything away. " +
			"Then report it to the seller, not the carrier: the seller (on Amazon: Your Orders → Return or replace items, or the third-party seller) " +
			"sends a replacement or refunds you and claims from the carrier. Keep the packaging until it is settled. " +
			"Someone else's parcel: contact the carrier so they can collect it and deliver it properly.")},
	{topic: "invalid_number", title: "Number invalid or not working",
		answer: fixed("When I say a number is invalid, it does not fit any carrier's format or its check digit does not add up, " +
			"which usually means a typo, a missing character or letters confused with digits (O and 0, I and 1). " +
			"Copy it again straight from the shipping email, without spaces or extra characters. If I suggested a corrected number, try that. " +
			"If the number is right but the carrier still does not know it after two days, or it stays invalid, contact the seller for the right number and carrier.")},
	{topic: "amazon_vs_carrier", title: "Amazon vs carrier numbers",
		answer: func(query) string { return tracker.ExplainAmazonReference() }},
	{topic: "track_without_login", title: "Tracking without an account",
		answer: fixed("You do not need an account to follow a parcel here: send me the tracking number and I check it for you, " +
			"no login required. Carriers' own tracking pages (UPS, USPS, FedEx, DHL, the national posts) also work without an account; " +
			"an account there only adds things like delivery changes. Amazon's order pages need your Amazon login, " +
			"but a TBA number can be opened on track.amazon.com, and a carrier number on the carrier's site, without signing in.")},
	{topic: "international", title: "Parcels from abroad",
		answer: internationalAnswer},
	{topic: "change_address", title: "Changing the address",
		answer: fixed("To change the delivery address, ask the shop first if the parcel has not shipped yet: most can edit the order. " +
			"Once it is with the carrier, only the carrier (and sometimes only the sender) can redirect it: use the carrier's page for the number " +
			"(UPS My Choice, FedEx Delivery Manager, USPS Package Intercept or the post's redirection service), usually for a fee and not for every parcel. " +
			"On Amazon, addresses cannot be changed after dispatch; contact Amazon customer service. I cannot change an address myself.")},
	{topic: "contact_support", title: "Whom to contact",
		answer: contactAnswer},
	{topic: "notifications", title: "My messages, muting",
		answer: fixed("I send a message to this chat whenever a parcel you follow changes status (shipped, out for delivery, delivered, a problem), " +
			"and once when it is time to contact customer service. You do not need to ask: I check on my own. " +
			"To stop messages for one parcel, mute or remove it from its message or from /list; send /help to see every command.")},
	{topic: "delivery_preferences", title: "Delivery options",
		answer: fixed("Delivery preferences (a safe place, leave with a neighbour, instructions for the driver, a different day, holding it at a " +
			"location or pickup point, signature options) are set with the carrier, not with me: use the carrier's page for the number or its free " +
			"account service (UPS My Choice, FedEx Delivery Manager, USPS Informed Delivery, the post's app). For Amazon deliveries, add instructions to the " +
			"address in your Amazon account. What can be changed depends on the carrier and the sender.")},
	{topic: "hub_locker", title: "Parcel lockers",
		answer: fixed("A parcel locker (such as Amazon Hub Locker or a carrier's locker) holds parcels until you collect them. " +
			"When it arrives you get an email or app message with a pickup code or barcode; enter or scan it at the locker's screen and a door opens. " +
			"Lockers keep parcels only a few days (Amazon Hub: usually 3 calendar days), then send them back, so collect it soon. " +
			"No code? Check the email, the app and the order page; if it is not there, contact the seller or carrier (on Amazon, Amazon customer service).")},
	{topic: "my_packages", title: "Your parcels now",
		answer: myPackagesAnswer},
	{topic: "bot_help", title: "What I can do",
		answer: fixed("Send me a tracking number (or paste a whole shipping email) and I recognise the carrier, follow the parcel and message you " +
			"when it moves, with advice on when to wait and when to contact customer service. /list shows your parcels and marks those needing attention. " +
			"You can also ask questions in plain words, like \"what does exception mean\" or \"it says delivered but I never got it\". Send /help for every command.")},

	// Topics named "parent:child" narrow an older topic, so a reader that
	// knows only the original list can fall back to the part before ":".
	{topic: "bot_help:add", title: "Adding a parcel",
		answer: fixed("To follow a parcel, send me its tracking number, or paste the whole shipping email or text: I find every number in it, " +
			"recognise the carrier and follow each one. To name it at the same time: /track NUMBER name, for example /track 1Z… new headphones. " +
			"You can follow several parcels at once; /list shows them all. In a group, use /track or mention me with the number.")},
	{topic: "bot_help:stop", title: "Removing a parcel",
		answer: fixed("To stop following a parcel, press Stop under any of its messages, or send /stop with its number or name " +
			"(for example /stop 1Z… or /stop headphones). When a delivered parcel has arrived, the “Got it” button under its message stops it too. " +
			"/list shows what I still follow. In a group, the person who added a parcel or an admin can stop it.")},
	{topic: "bot_help:rename", title: "Naming a parcel",
		answer: fixed("To name a parcel, send /rename NUMBER new name (for example /rename 1Z… birthday gift), or press Rename under its message " +
			"and reply with the name. You can also name it when you add it: /track NUMBER name. The name is what /list and my messages show.")},
	{topic: "bot_help:carriers", title: "Carriers I know", answer: carriersAnswer},
	{topic: "lost_parcel", title: "Lost parcel and claims", answer: lostAnswer},
	{topic: "track_without_login:guest_checkout", title: "Guest orders",
		answer: fixed("Ordered as a guest? You do not need an account to track it. The order confirmation and shipping emails from the shop " +
			"carry the tracking number (or a tracking link that contains it): send me that number and I follow the parcel. " +
			"No email? Most shops have an order look-up page that asks for the order number and the email address you used, " +
			"or ask the shop's customer service to resend it. Check the spam folder too.")},
}

// offTopicAnswer is for text that is not about parcels.
const offTopicAnswer = "I help with parcels, so that one is beyond me. 🙂 Send me a tracking number, or ask about your parcels, " +
	"for example “where is my parcel?”, “what does exception mean?” or “it says delivered but I don't have it”. /help shows everything I can do."

// askBackText introduces the likeliest topics when the question is unclear.
const askBackText = "I'm not sure I understood. Did you mean one of these?"

// carriersAnswer names the carriers whose numbers the detector knows.
func carriersAnswer(query) string {
	var names []string
	for _, code := range tracker.CarrierCodes() {
		if code == "demo" || code == "s10" {
			continue
		}
		names = append(names, tracker.Carrier(code).Name)
	}
	return "I recognise tracking numbers of " + strings.Join(names, ", ") + ", and of the national posts of most countries " +
		"(international numbers like RR123456789CN). Send me the tracking number itself: I can't look a parcel up by phone number, name, " +
		"address or email, and a shop's order number works only with the shop (an Amazon order number I recognise, but Amazon shows its tracking " +
		"only in Your Orders → Track Package)."
}

func lostAnswer(q query) string {
	return fmt.Sprintf("If tracking has not moved for %s (domestic) or %s (international), or a parcel marked delivered still has not "+
		"turned up after %s, contact customer service and ask them to search for it: carriers declare a parcel lost only after that search. "+
		"For an online order, contact the seller (on Amazon: Your Orders → the order → Get help): the seller sent it, so the seller claims "+
		"from the carrier and refunds or replaces it for you. If you sent it yourself, file the claim with the carrier (or the post's "+
		"missing-mail search) with the tracking number, proof of value and the packaging details; insurance or the declared value decides how much is paid.",
		days(advice.Default.DomesticStall), days(advice.Default.InternationalStall), hours(advice.Default.NotReceivedWait)) + parcelsNeedingAttention(q)
}

func fixed(text string) func(query) string { return func(query) string { return text } }

// statusEntry explains one status of the contract.
func statusEntry(s tracker.Status) entry {
	return entry{topic: "status:" + string(s), title: "What “" + s.Title() + "” means", answer: func(query) string { return s.Explain() }}
}

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
