package bot

import (
	"testing"

	"github.com/go-telegram/bot/models"
)

func TestUpdateKind(t *testing.T) {
	tests := map[string]struct {
		upd  models.Update
		want string
	}{
		"command":  {models.Update{Message: &models.Message{Text: "/list"}}, "command"},
		"message":  {models.Update{Message: &models.Message{Text: "where is my parcel"}}, "message"},
		"callback": {models.Update{CallbackQuery: &models.CallbackQuery{Data: "ref:1"}}, "callback"},
		"member":   {models.Update{MyChatMember: &models.ChatMemberUpdated{}}, "my_chat_member"},
		"other":    {models.Update{}, "other"},
	}
	for name, tc := range tests {
		if got := updateKind(&tc.upd); got != tc.want {
			t.Errorf("%s: updateKind = %q, want %q", name, got, tc.want)
		}
	}
}

func TestPastedLabel(t *testing.T) {
	tests := map[string]struct{ text, want string }{
		"number and name":     {"DEMO1 birthday gift", "birthday gift"},
		"dash before name":    {"DEMO2 - new shoes", "new shoes"},
		"number only":         {"DEMO1", ""},
		"words before number": {"my parcel is DEMO1 shoes", ""},
		"second line":         {"DEMO1\nthanks for your order", ""},
		"long sentence":       {"DEMO1 is the number the shop sent me this morning by email", ""},
		"two numbers":         {"DEMO1 DEMO2", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := pastedLabel(tc.text, detect(tc.text, true))
			if got != tc.want {
				t.Errorf("pastedLabel(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}
