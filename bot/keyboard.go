package bot

import (
	"encoding/json"

	"github.com/go-telegram/bot/models"
)

// keyboard is an inline keyboard as the bot sends and stores it. It stands
// in for go-telegram's models.InlineKeyboardMarkup, whose buttons hold
// copy_text as a struct that encoding/json never omits: every button would
// carry "copy_text":{"text":""} beside its callback_data or url, which
// Telegram refuses (BUTTON_COPY_TEXT_INVALID, go-telegram/bot PR #167).
// go-telegram takes any value as reply_markup and sends its JSON.
type keyboard struct {
	Rows [][]keyButton `json:"inline_keyboard"`
}

// keyButton is one button: exactly one of Data, URL and Copy is set.
type keyButton struct {
	Text string    `json:"text"`
	Data string    `json:"callback_data,omitempty"`
	URL  string    `json:"url,omitempty"`
	Copy *copyText `json:"copy_text,omitempty"`
}

type copyText struct {
	Text string `json:"text"`
}

// markup is r's reply_markup: a force-reply prompt, an inline keyboard, or
// nil for none.
func markup(r Reply) models.ReplyMarkup {
	if r.ForceReply {
		return &models.ForceReply{ForceReply: true, InputFieldPlaceholder: r.Hint} // not selective: in a group, the prompt came from a button, not a message to reply to
	}
	if len(r.Buttons) == 0 {
		return nil
	}
	kb := &keyboard{Rows: make([][]keyButton, 0, len(r.Buttons))}
	for _, row := range r.Buttons {
		out := make([]keyButton, 0, len(row))
		for _, b := range row {
			btn := keyButton{Text: b.Text, Data: b.Data, URL: b.URL}
			if b.Copy != "" {
				btn.Copy = &copyText{Text: b.Copy}
			}
			out = append(out, btn)
		}
		kb.Rows = append(kb.Rows, out)
	}
	return kb
}

// markupJSON is r's reply_markup as the outbox stores it ("" for none).
func markupJSON(r Reply) string {
	mk := markup(r)
	if mk == nil {
		return ""
	}
	b, err := json.Marshal(mk)
	if err != nil {
		return "" // plain structs of strings: cannot fail
	}
	return string(b)
}

// markupButtons reads a stored reply_markup back into buttons; a markup it
// cannot read just shows no buttons.
func markupButtons(markup string) [][]Button {
	if markup == "" {
		return nil
	}
	var kb keyboard
	if err := json.Unmarshal([]byte(markup), &kb); err != nil {
		return nil
	}
	var rows [][]Button
	for _, r := range kb.Rows {
		var row []Button
		for _, b := range r {
			nb := Button{Text: b.Text, Data: b.Data, URL: b.URL}
			if b.Copy != nil {
				nb.Copy = b.Copy.Text
			}
			row = append(row, nb)
		}
		rows = append(rows, row)
	}
	return rows
}
