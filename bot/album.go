package bot

// Albums. Telegram sends an album as one update per photo, sharing a
// media_group_id, usually within a second of each other. They get one
// answer: the worker leaves an album's updates in the inbox until none of
// its photos has arrived for albumQuiet (its periodic look at the inbox is
// the sweep that notices), then handles the first one with all of them:
// one transaction takes every photo's reading (downloaded and decoded
// outside it, like any network call), queues the one answer and closes the
// other updates. Everything it waits on is in the inbox — the photos and
// when they arrived — so a restart in between ends the same way, and the
// answer is queued once because the updates close with it.
//
// A photo of the album arriving after the answer (more than albumQuiet
// late) is answered on its own.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/trackbot/trackbot/storage"
)

// albumQuiet is how long an album waits for more photos after its last.
const albumQuiet = 2 * time.Second

// albumKey is the chat and media group of a stored photo message; ok is
// false for anything else.
func albumKey(body []byte) (key string, ok bool) {
	var u struct {
		Message *struct {
			MediaGroupID string `json:"media_group_id"`
			Text         string `json:"text"`
			Chat         struct {
				ID int64 `json:"id"`
			} `json:"chat"`
		} `json:"message"`
	}
	if json.Unmarshal(body, &u) != nil || u.Message == nil || u.Message.MediaGroupID == "" || u.Message.Text != "" {
		return "", false
	}
	return fmt.Sprintf("%d/%s", u.Message.Chat.ID, u.Message.MediaGroupID), true
}

// albumsGrowing returns the pending updates whose album may still grow: its
// newest photo arrived less than albumQuiet before now.
func albumsGrowing(pending []storage.InboxUpdate, now time.Time) map[int64]bool {
	newest := map[string]time.Time{}
	keys := map[int64]string{}
	for _, u := range pending {
		k, ok := albumKey(u.Body)
		if !ok {
			continue
		}
		keys[u.UpdateID] = k
		if u.ReceivedAt.After(newest[k]) {
			newest[k] = u.ReceivedAt
		}
	}
	var wait map[int64]bool
	for id, k := range keys {
		// received_at has whole seconds: a photo stored at 10.9 s reads
		// 10 s, so the wait is between albumQuiet and a second more.
		if now.Before(newest[k].Add(albumQuiet)) {
			if wait == nil {
				wait = map[int64]bool{}
			}
			wait[id] = true
		}
	}
	return wait
}

// albumMessages returns the stored, unhandled photo messages of m's album
// in the order they were sent (m among them), read inside the handling
// transaction, and the update ids of the others.
func albumMessages(ctx context.Context, store *storage.Store, updateID int64, m *models.Message) ([]*models.Message, []int64, error) {
	msgs := []*models.Message{m}
	if m.MediaGroupID == "" {
		return msgs, nil, nil
	}
	pending, err := store.PendingUpdates(ctx, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("album: %w", err)
	}
	want := fmt.Sprintf("%d/%s", m.Chat.ID, m.MediaGroupID)
	var rest []int64
	for _, u := range pending {
		if u.UpdateID == updateID || u.ChatID != m.Chat.ID {
			continue
		}
		if k, ok := albumKey(u.Body); !ok || k != want {
			continue
		}
		var upd models.Update
		if err := json.Unmarshal(u.Body, &upd); err != nil || upd.Message == nil {
			continue
		}
		msgs = append(msgs, upd.Message)
		rest = append(rest, u.UpdateID)
	}
	slices.SortFunc(msgs, func(a, b *models.Message) int { return a.ID - b.ID })
	return msgs, rest, nil
}
