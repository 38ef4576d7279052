// Package telegramtest is an in-process fake of the Telegram Bot API for
// tests. It speaks the real protocol over HTTP (POST /bot<token>/<method>
// with JSON, urlencoded or multipart bodies; {"ok":…} envelopes; the real
// error codes and parameters) so the project's real client can be pointed at
// it, and lets a test inject updates, inspect what the bot sent and script
// failures (403 blocked, 429 flood control, 400 migrated, 409 conflict).
package telegramtest

import "encoding/json"

// The wire types below are written from the Bot API documentation, not taken
// from the client library, so the fake checks the client rather than itself.

// User is a Telegram user or bot.
type User struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name,omitempty"`
	Username  string `json:"username,omitempty"`
	// LanguageCode is the IETF tag of the user's client ("de", "pt-br").
	LanguageCode string `json:"language_code,omitempty"`
}

// Chat is a private chat, group, supergroup or channel.
type Chat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
}

// Entity is a MessageEntity; Offset and Length count UTF-16 code units.
type Entity struct {
	Type   string `json:"type"`
	Offset int    `json:"offset"`
	Length int    `json:"length"`
}

// Message is the subset of Message the bot reads or the fake returns.
type Message struct {
	MessageID         int             `json:"message_id"`
	From              *User           `json:"from,omitempty"`
	Chat              Chat            `json:"chat"`
	Date              int64           `json:"date"`
	Text              string          `json:"text,omitempty"`
	Entities          []Entity        `json:"entities,omitempty"`
	ReplyToMessage    *Message        `json:"reply_to_message,omitempty"`
	MigrateToChatID   int64           `json:"migrate_to_chat_id,omitempty"`
	MigrateFromChatID int64           `json:"migrate_from_chat_id,omitempty"`
	ReplyMarkup       json.RawMessage `json:"reply_markup,omitempty"`
	Photo             []PhotoSize     `json:"photo,omitempty"`
	Document          *Document       `json:"document,omitempty"`
	Caption           string          `json:"caption,omitempty"`
	CaptionEntities   []Entity        `json:"caption_entities,omitempty"`
	MediaGroupID      string          `json:"media_group_id,omitempty"`
}

// PhotoSize is one size of a photo.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

// Document is a file sent as a file.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int64  `json:"file_size,omitempty"`
}

// File is getFile's answer.
type File struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileSize     int64  `json:"file_size,omitempty"`
	FilePath     string `json:"file_path,omitempty"`
}

// CallbackQuery is a button press.
type CallbackQuery struct {
	ID           string   `json:"id"`
	From         User     `json:"from"`
	Message      *Message `json:"message,omitempty"`
	ChatInstance string   `json:"chat_instance"`
	Data         string   `json:"data,omitempty"`
}

// ChatMember is a user's standing in a chat: creator, administrator,
// member, restricted, left or kicked.
type ChatMember struct {
	Status string `json:"status"`
	User   User   `json:"user"`
}

// ChatMemberUpdated reports a change of a member's standing (my_chat_member
// when the member is the bot itself).
type ChatMemberUpdated struct {
	Chat          Chat       `json:"chat"`
	From          User       `json:"from"`
	Date          int64      `json:"date"`
	OldChatMember ChatMember `json:"old_chat_member"`
	NewChatMember ChatMember `json:"new_chat_member"`
}

// Update is one incoming update.
type Update struct {
	UpdateID      int64              `json:"update_id"`
	Message       *Message           `json:"message,omitempty"`
	CallbackQuery *CallbackQuery     `json:"callback_query,omitempty"`
	MyChatMember  *ChatMemberUpdated `json:"my_chat_member,omitempty"`
}

// Button is an inline keyboard button as the bot sent it.
type Button struct {
	Text         string    `json:"text"`
	CallbackData string    `json:"callback_data,omitempty"`
	URL          string    `json:"url,omitempty"`
	CopyText     *CopyText `json:"copy_text,omitempty"`
}

// CopyText is a copy_text button's text to copy (Bot API 7.11).
type CopyText struct {
	Text string `json:"text"`
}

// Copies is the text the button copies ("" for another kind of button).
func (b Button) Copies() string {
	if b.CopyText == nil {
		return ""
	}
	return b.CopyText.Text
}

// Markup is a reply_markup: an inline keyboard or a force-reply request.
type Markup struct {
	InlineKeyboard [][]Button `json:"inline_keyboard,omitempty"`
	ForceReply     bool       `json:"force_reply,omitempty"`
}

// Buttons flattens the inline keyboard.
func (m Markup) Buttons() []Button {
	var out []Button
	for _, row := range m.InlineKeyboard {
		out = append(out, row...)
	}
	return out
}

type envelope struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *responseParams `json:"parameters,omitempty"`
}

type responseParams struct {
	RetryAfter      int   `json:"retry_after,omitempty"`
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
}
