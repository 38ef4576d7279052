package bot

import (
	"fmt"
	"strconv"
	"strings"
)

// Callback actions. The data on an inline button is
// "<action>:<subscriptionID>[:<arg>]"; the notifier puts the same buttons on
// its pushes, so the scheme is fixed. A button about no parcel carries
// subscription 0.
const (
	ActRefresh     = "ref"  // look the parcel up now
	ActStop        = "stop" // stop following
	ActRename      = "ren"  // ask for a new label (ForceReply)
	ActCarrier     = "car"  // show carrier choices
	ActSetCarrier  = "cs"   // cs:<subID>:<code>
	ActGotIt       = "got"  // delivered and received: stop following
	ActNotReceived = "nr"   // delivered but not received: advice
	// ActForce follows a number whose check digit failed, because the user
	// insists: "fa:0:<carrier>:<number>" (no subscription exists yet).
	ActForce    = "fa"
	ActLanguage = "lang" // lang:0:<code>: the chat's language (no parcel)
	ActZone     = "tz"   // tz:0:<IANA zone>: the chat's time zone, from the question after /start
	// ActTopic answers a topic offered by "Did you mean…?": q:0:<topic>, or
	// q:<subID>:<topic> when the question named that parcel, so that the
	// answer is about it.
	ActTopic = "q"
)

// MaxCallbackData is Telegram's limit on callback_data, in bytes.
const MaxCallbackData = 64

// CallbackData builds a button's callback data. It panics if the result
// exceeds Telegram's limit, which only a programming error can cause (actions
// and carrier codes are short constants, ids at most 19 digits).
func CallbackData(action string, subID int64, arg string) string {
	s := action + ":" + strconv.FormatInt(subID, 10)
	if arg != "" {
		s += ":" + arg
	}
	if len(s) > MaxCallbackData {
		panic(fmt.Sprintf("bot: callback data %q longer than %d bytes", s, MaxCallbackData))
	}
	return s
}

// Callback is parsed callback data.
type Callback struct {
	Action string
	SubID  int64
	Arg    string
}

// ParseCallback parses data made by CallbackData.
func ParseCallback(data string) (Callback, error) {
	parts := strings.SplitN(data, ":", 3)
	if len(parts) < 2 {
		return Callback{}, fmt.Errorf("bot: callback data %q: want action:id", data)
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if (parts[0] == ActLanguage || parts[0] == ActZone) && err == nil && id == 0 && len(parts) == 3 && parts[2] != "" {
		return Callback{Action: parts[0], Arg: parts[2]}, nil
	}
	if err != nil || id < 0 || id == 0 && parts[0] != ActForce && parts[0] != ActTopic {
		return Callback{}, fmt.Errorf("bot: callback data %q: bad subscription id", data)
	}
	c := Callback{Action: parts[0], SubID: id}
	if len(parts) == 3 {
		c.Arg = parts[2]
	}
	switch c.Action {
	case ActTopic:
		if c.Arg == "" {
			return Callback{}, fmt.Errorf("bot: callback data %q: topic missing", data)
		}
	case ActRefresh, ActStop, ActRename, ActCarrier, ActGotIt, ActNotReceived:
	case ActForce:
		if carrier, number, ok := strings.Cut(c.Arg, ":"); !ok || carrier == "" || number == "" {
			return Callback{}, fmt.Errorf("bot: callback data %q: carrier and number missing", data)
		}
	case ActSetCarrier:
		if c.Arg == "" {
			return Callback{}, fmt.Errorf("bot: callback data %q: carrier missing", data)
		}
	default:
		return Callback{}, fmt.Errorf("bot: callback data %q: unknown action", data)
	}
	return c, nil
}
