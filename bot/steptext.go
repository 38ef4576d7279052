package bot

import (
	"unicode"
	"unicode/utf8"

	"github.com/trackbot/trackbot/bot/locale"
	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker/advice"
	"github.com/trackbot/trackbot/tracker/assess"
)

// The assessment and the advice rules decide; these say it in the chat's
// language. Each step and rule has its own texts in the catalogs, keyed by
// the step or rule, English (en.toml) included; the dates in them are
// written here, in the chat's zone.

// stepText is the one line saying what to do now (plain text).
func stepText(v view, a assess.Assessment, buttons bool) string {
	p := v.pr()
	switch a.Step {
	case assess.StepWaitFirstScan:
		if !a.Until.IsZero() {
			return p.T("step_wait_first_scan_until", "Date", v.dayAt(a.Until))
		}
	case assess.StepLateWait:
		return p.T("step_late_wait", "Date", v.day(a.ETA), "Until", v.dayAt(a.Until))
	case assess.StepCheckAround:
		if buttons {
			return p.T("step_check_around_buttons")
		}
	case assess.StepException:
		if !a.Until.IsZero() {
			return p.T("step_exception_until", "Date", v.dayAt(a.Until))
		}
	case assess.StepNotReceived:
		return p.T("step_not_received", "Date", v.dayAt(a.Until))
	case assess.StepContact:
		title, _ := adviceTitle(p, a.Main, a.Main.Rule)
		return p.T("step_contact", "Contact", contactName(p, a.Main), "Reason", reason(p, title))
	case "":
		return p.T("step_keep_checking")
	}
	key := "step_" + string(a.Step)
	if s := p.T(key); s != key {
		return s
	}
	return p.T("step_keep_checking")
}

// reason puts an advice title after a colon: lower-case where the language
// starts a clause that way (German nouns keep their capital).
func reason(p *locale.Printer, title string) string {
	if p.Lang() == locale.DE {
		return title
	}
	r, n := utf8.DecodeRuneInString(title)
	if n == 0 || len(title) > n && unicode.IsUpper(rune(title[n])) {
		return title // an acronym
	}
	return string(unicode.ToLower(r)) + title[n:]
}

// contactName says whom adv says to contact, in the chat's language.
func contactName(p *locale.Printer, adv advice.Advice) string {
	switch adv.Party.Who {
	case advice.WhoAmazon:
		return p.T("contact_amazon")
	case advice.WhoAmazonSeller:
		return p.T("contact_amazon_seller")
	case advice.WhoSeller:
		return p.T("contact_seller")
	case advice.WhoPostal:
		return p.T("contact_postal")
	}
	return p.T("contact_carrier", "Carrier", carrierName(p, adv.Party.Carrier))
}

// adviceTitle is a rule's title; the second result tells the stall rule's
// two lengths apart.
func adviceTitle(p *locale.Printer, adv advice.Advice, rule string) (string, bool) {
	if rule == advice.RuleStalled {
		intl := adv.International
		days := int(advice.Default.DomesticStall.Hours() / 24)
		if intl {
			days = int(advice.Default.InternationalStall.Hours() / 24)
		}
		return p.N("advice_stalled_title", days), intl
	}
	return p.T("advice_" + rule + "_title"), false
}

// adviceText is an advice push's title and text in the chat's language.
func adviceText(v view, adv advice.Advice, sub storage.Subscription, a assess.Assessment) (title, text string) {
	p := v.pr()
	title, _ = adviceTitle(p, adv, adv.Rule)
	in := sub.AdviceInput(followedValid)
	switch adv.Rule {
	case advice.RuleActivationWait:
		return title, p.T("advice_activation_wait", "Date", v.when(adv.Until))
	case advice.RuleNoTracking:
		if sub.Shipment.Status == "info_received" {
			return title, p.T("advice_no_tracking_label")
		}
	case advice.RuleStalled:
		last := in.LastEventAt
		if last.IsZero() {
			last = in.StatusSince
		}
		if last.IsZero() {
			last = in.AddedAt
		}
		return title, p.T("advice_stalled", "Date", v.pr().Date(v.in(last), false))
	case advice.RuleNotReceivedCheck:
		return title, p.T("advice_not_received_check", "Date", v.when(adv.Until))
	case advice.RuleNotReceived:
		if in.AmazonOrder {
			return title, p.T("advice_not_received_investigate_amazon")
		}
		text = p.T("advice_not_received_investigate")
		switch at := adv.PostalSearchFrom; {
		case at.IsZero():
		case v.now.Before(at):
			text += " " + p.T("advice_postal_search_from", "Date", v.pr().Date(v.in(at), false))
		default:
			text += " " + p.T("advice_postal_search_now")
		}
		return title, text
	case advice.RuleLate:
		return title, p.T("advice_late", "Date", v.pr().Date(in.ETA, false)) // the carrier's date, at the destination
	}
	return title, p.T("advice_" + adv.Rule)
}
