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
