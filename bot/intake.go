package bot

// Intake: updates reach the inbox before Telegram is told they arrived.
// Long polling asks getUpdates for the next offset only after the previous
// batch is committed (the offset is what confirms a batch to Telegram), so
// our own loop replaces the library's poller, which confirms a batch before
// its handlers run. The webhook answers 200 only after the insert.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/trackbot/trackbot/storage"
)

const (
	pollLimit      = 100 // updates per getUpdates, Telegram's maximum
	pollBackoffMin = time.Second
	pollBackoffMax = 30 * time.Second
	workInterval   = time.Second // the worker also looks for pending updates this often
	workParallel   = 8           // chats handled at once (handling itself queues on the writer)
	maxAttempts    = 3           // failed handling attempts before the update is answered with an apology
	retryHandling  = 2 * time.Second
	// floodBacklog bounds what one chat may have waiting (messages not
	// handled, answers not sent): at Telegram's one message a second per
	// chat, that many answers already take most of a minute.
	floodBacklog = 50
)

// allowedUpdates are the update types trackbot handles.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// getUpdatesResponse is the Bot API envelope with the updates kept raw.
type getUpdatesResponse struct {
	OK          bool              `json:"ok"`
	Result      []json.RawMessage `json:"result"`
	ErrorCode   int               `json:"error_code"`
	Description string            `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// getUpdates makes one long-poll request from offset.
func (a *App) getUpdates(ctx context.Context, offset int64) ([]json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{
		"offset": offset, "timeout": int(a.pollWait.Seconds()), "limit": pollLimit, "allowed_updates": allowedUpdates,
	})
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.apiURL+"/bot"+a.token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redactURL(err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", redactURL(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: read: %w", redactURL(err))
	}
	var r getUpdatesResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("getUpdates: HTTP %d, unreadable answer (%d bytes): %w", resp.StatusCode, len(raw), err)
	}
	if !r.OK {
		if r.ErrorCode == http.StatusConflict {
			return nil, ErrConflict
		}
		return nil, &apiError{code: r.ErrorCode, desc: r.Description, retryAfter: r.Parameters.RetryAfter}
	}
	return r.Result, nil
}

// apiError is a Bot API refusal of getUpdates.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func (e *apiError) Error() string {
	return fmt.Sprintf("getUpdates: telegram %d: %s", e.code, clipBody(e.desc))
}

// redactURL drops the request URL (it holds the token) from an HTTP error.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// clipBody bounds text from a server that ends up in a log line.
func clipBody(s string) string {
	const max = 512
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

// poll long-polls Telegram into the inbox until ctx is done or Telegram
// reports a conflicting poller (ErrConflict).
func (a *App) poll(ctx context.Context) error {
	var offset int64 // 0: Telegram starts with the oldest unconfirmed update
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if backoff > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
		}
		batch, err := a.getUpdates(ctx, offset)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, ErrConflict) {
			a.log.Error("bot: Telegram says another instance is polling this token (409 Conflict); stopping")
			return ErrConflict
		}
		var unauthorized *apiError
		if errors.As(err, &unauthorized) && unauthorized.code == http.StatusUnauthorized {
			a.log.Error("bot: Telegram refused the bot token (401); stopping")
			return ErrBadToken
		}
		if err != nil {
			backoff = min(max(backoff*2, pollBackoffMin), pollBackoffMax)
			var ae *apiError
			if errors.As(err, &ae) && ae.retryAfter > 0 {
				backoff = time.Duration(ae.retryAfter) * time.Second
			}
			a.log.WarnContext(ctx, "bot: getUpdates failed; retrying", slog.Duration("retry_in", backoff), slog.Any("error", err))
			continue
		}
		backoff = 0
		if len(batch) == 0 {
			continue
		}
		next, err := a.store(ctx, batch)
		if err != nil {
			// Not confirmed: Telegram sends the batch again.
			backoff = pollBackoffMin
			a.log.ErrorContext(ctx, "bot: storing updates failed; asking Telegram again", slog.Any("error", err))
			continue
		}
		offset = next
	}
	return nil
}

// store commits a getUpdates batch to the inbox and returns the offset that
// confirms it. When the database takes no writes, the batch is answered
// without storing (readonly.go) and confirmed once answered.
func (a *App) store(ctx context.Context, batch []json.RawMessage) (int64, error) {
	ups := make([]storage.InboxUpdate, 0, len(batch))
	var last int64
	for _, raw := range batch {
		id, chat, err := UpdateMeta(raw)
		if err != nil {
			a.log.WarnContext(ctx, "bot: unreadable update skipped", slog.Any("error", err))
			continue
		}
		last = max(last, id)
		ups = append(ups, storage.InboxUpdate{UpdateID: id, ChatID: chat, Body: raw})
	}
	if len(ups) > 0 {
		// The commit must happen even if shutdown starts meanwhile.
		if _, err := a.eng.store.StoreUpdates(context.WithoutCancel(ctx), a.eng.now(), ups...); err != nil {
			if !storage.CannotWrite(err) {
				return 0, err
			}
			// Disk full or read-only: answer from reads, confirm once answered.
			a.storeFailed(ctx, err)
			if err := a.answerUnstored(ctx, ups); err != nil {
				return 0, fmt.Errorf("answer without storing: %w", err)
			}
		} else {
			a.storeWorked(ctx)
			a.Wake()
		}
	}
	if last == 0 {
		return 0, errors.New("no readable update in the batch")
	}
	return last + 1, nil
}

// WebhookHandler stores the update in the request body and answers 200
// once it is committed (or, when the database takes no writes, once it was
// answered without storing: readonly.go); 500 when it could not be stored (Telegram sends it
// again), 400 for a body that is no update. The caller checks the secret
// and bounds the body.
func (a *App) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		id, chat, err := UpdateMeta(body)
		if err != nil {
			// Telegram would retry a 5xx forever; this update can never be read.
			a.log.WarnContext(r.Context(), "webhook: unreadable update refused", slog.Any("error", err))
			http.Error(w, "not an update", http.StatusBadRequest)
			return
		}
		u := storage.InboxUpdate{UpdateID: id, ChatID: chat, Body: body}
		if _, err := a.eng.store.StoreUpdates(context.WithoutCancel(r.Context()), a.eng.now(), u); err != nil {
			if storage.CannotWrite(err) {
				// Disk full or read-only: answer from reads; 200 once answered.
				a.storeFailed(r.Context(), err)
				err = a.answerUnstored(r.Context(), []storage.InboxUpdate{u})
				if err == nil {
					w.WriteHeader(http.StatusOK)
					return
				}
			}
			a.log.ErrorContext(r.Context(), "webhook: storing update failed; Telegram will send it again", slog.Any("error", err))
			http.Error(w, "try again", http.StatusInternalServerError)
			return
		}
		a.storeWorked(r.Context())
		a.Wake()
		w.WriteHeader(http.StatusOK)
	})
}

// Wake makes the worker look at the inbox now.
func (a *App) Wake() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// work handles stored updates until ctx is done, each chat's in order,
// several chats at once; it returns once the updates under way are handled.
// What is left stays in the inbox for the next start.
func (a *App) work(ctx context.Context) {
	var (
		mu      sync.Mutex
		busy    = map[int64]bool{} // chats with a goroutine on them
		taken   = map[int64]bool{} // update ids queued or under way
		retryAt = map[int64]time.Time{}
		wg      sync.WaitGroup
		sem     = make(chan struct{}, workParallel)
		queues  = map[int64][]storage.InboxUpdate{}
	)
	t := time.NewTicker(workInterval)
	defer t.Stop()
	runChat := func(chat int64) {
		defer wg.Done()
		for {
			mu.Lock()
			q := queues[chat]
			if len(q) == 0 || ctx.Err() != nil {
				delete(busy, chat)
				for _, u := range q {
					delete(taken, u.UpdateID)
				}
				delete(queues, chat)
				mu.Unlock()
				return
			}
			u := q[0]
			queues[chat] = q[1:]
			mu.Unlock()

			sem <- struct{}{}
			err := a.handleOne(ctx, u)
			<-sem

			mu.Lock()
			delete(taken, u.UpdateID)
			if err != nil {
				// Keep the chat's order: the rest waits for this one.
				retryAt[u.UpdateID] = time.Now().Add(retryHandling)
				for _, r := range queues[chat] {
					delete(taken, r.UpdateID)
				}
				delete(queues, chat)
				delete(busy, chat)
				mu.Unlock()
				return
			}
			delete(retryAt, u.UpdateID)
			mu.Unlock()
		}
	}
	for {
		pending, err := a.eng.store.PendingUpdates(ctx, 1000)
		if err != nil && ctx.Err() == nil {
			a.log.ErrorContext(ctx, "bot: pending updates", slog.Any("error", err))
		}
		now := time.Now()
		growing := albumsGrowing(pending, a.eng.now())
		mu.Lock()
		blocked := map[int64]bool{}
		fresh := map[int64][]storage.InboxUpdate{}
		backlog := map[int64][]storage.InboxUpdate{}
		var order []int64
		for _, u := range pending {
			if taken[u.UpdateID] {
				backlog[u.ChatID] = append(backlog[u.ChatID], u)
				continue
			}
			if blocked[u.ChatID] {
				continue
			}
			if at, ok := retryAt[u.UpdateID]; ok && now.Before(at) {
				blocked[u.ChatID] = true // the chat's later updates wait too
				continue
			}
			if growing[u.UpdateID] {
				blocked[u.ChatID] = true // an album still arriving (album.go)
				continue
			}
			if _, ok := fresh[u.ChatID]; !ok {
				order = append(order, u.ChatID)
			}
			fresh[u.ChatID] = append(fresh[u.ChatID], u)
		}
		mu.Unlock()
		var keep []storage.InboxUpdate
		for _, chat := range order {
			// The chat's queue and its unsent answers are counted under
			// mu, so no handling starts meanwhile: only the one under way
			// can finish and be counted twice (in the queue and as an answer).
			waiting := func() (int, error) {
				mu.Lock()
				defer mu.Unlock()
				n := len(queues[chat])
				if busy[chat] {
					n++ // the one under way
				}
				replies, err := a.eng.store.PendingReplies(ctx, chat)
				return n + replies, err
			}
			keep = append(keep, a.floodControl(ctx, chat, fresh[chat], backlog[chat], waiting)...)
		}
		mu.Lock()
		for _, u := range keep {
			if taken[u.UpdateID] {
				continue
			}
			taken[u.UpdateID] = true
			queues[u.ChatID] = append(queues[u.ChatID], u)
			if !busy[u.ChatID] {
				busy[u.ChatID] = true
				wg.Add(1)
				go runChat(u.ChatID)
			}
		}
		mu.Unlock()
		if a.swept != nil {
			a.swept()
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
		case <-a.wake:
		}
	}
}

// floodControl keeps a chat's queue bounded. Of the chat's new updates
// (ups, oldest first; backlog are already queued and not handled;
// waitingNow counts the chat's queue and unsent answers), a text message
// repeating one still waiting is closed as a duplicate (the first one's
// answer serves both), and once more than floodBacklog messages or unsent
// answers wait, the
// newer ones are closed unanswered and the chat is told, at most once an
// hour, to send them again more slowly. Button presses and membership
// changes always go through. It returns the updates to handle.
func (a *App) floodControl(ctx context.Context, chat int64, ups, backlog []storage.InboxUpdate, waitingNow func() (int, error)) []storage.InboxUpdate {
	if chat == 0 {
		return ups
	}
	var keep []storage.InboxUpdate
	var dups, flood []int64
	// A repeat of a message queued in an earlier sweep is a repeat too:
	// which sweep a message lands in is only timing.
	seen := map[string]bool{}
	for _, u := range backlog {
		if key, isText := textKey(u.Body); isText {
			seen[key] = true
		}
	}
	waiting := 0
	if len(ups)+len(backlog) > 1 {
		var err error
		if waiting, err = waitingNow(); err != nil {
			a.log.WarnContext(ctx, "bot: pending replies", slog.Any("error", err))
		}
	}
	for _, u := range ups {
		key, isText := textKey(u.Body)
		switch {
		case !isText:
			keep = append(keep, u)
		case seen[key]:
			dups = append(dups, u.UpdateID)
		case waiting >= floodBacklog:
			flood = append(flood, u.UpdateID)
		default:
			seen[key] = true
			waiting++
			keep = append(keep, u)
		}
	}
	now := a.eng.now()
	if len(dups) > 0 {
		if err := a.eng.store.CloseUpdates(ctx, now, dups, "duplicate", nil); err != nil {
			a.log.ErrorContext(ctx, "bot: close duplicate updates", slog.Any("error", err))
			return ups
		}
	}
	if len(flood) > 0 {
		notice := &storage.OutboxMessage{
			ChatID:    chat,
			DedupeKey: fmt.Sprintf("flood:%d:%d", chat, now.Unix()/3600),
			Text:      a.eng.ChatPrinter(ctx, chat).T("flood_slow_down"),
			Reply:     true,
		}
		if err := a.eng.store.CloseUpdates(ctx, now, flood, "flood", notice); err != nil {
			a.log.ErrorContext(ctx, "bot: close flood updates", slog.Any("error", err))
			return ups
		}
		a.log.WarnContext(ctx, "bot: chat is flooding; newer messages closed unanswered",
			slog.Int64("chat", chat), slog.Int("closed", len(flood)), slog.Int("waiting", waiting))
		if a.queued != nil {
			a.queued()
		}
	}
	if a.floodChecked != nil {
		a.floodChecked(chat, waiting)
	}
	return keep
}

// textKey identifies a text message by sender and text, for spotting
// repeats; isText is false for every other update.
func textKey(body []byte) (key string, isText bool) {
	var u struct {
		Message *struct {
			Text string `json:"text"`
			From *struct {
				ID int64 `json:"id"`
			} `json:"from"`
		} `json:"message"`
	}
	if json.Unmarshal(body, &u) != nil || u.Message == nil || u.Message.Text == "" {
		return "", false
	}
	from := int64(0)
	if u.Message.From != nil {
		from = u.Message.From.ID
	}
	return fmt.Sprintf("%d\x00%s", from, u.Message.Text), true
}

// handleOne handles one update and deals with failure: after maxAttempts the
// chat gets an apology instead, so nothing waits forever.
func (a *App) handleOne(ctx context.Context, u storage.InboxUpdate) error {
	// An update taken is finished even during shutdown, within bounds.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replyTimeout)
	defer cancel()
	err := a.HandleStored(hctx, u)
	if err == nil || errors.Is(err, storage.ErrAlreadyHandled) || errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if errors.Is(err, storage.ErrBusy) {
		return err // another instance has the chat's turn: no failed attempt, just later
	}
	a.log.ErrorContext(ctx, "bot: handling update failed", slog.Int64("update", u.UpdateID), slog.Int("attempt", u.Attempts+1), slog.Any("error", err))
	giveUp := u.Attempts+1 >= maxAttempts
	if giveUp {
		var q replyQueue
		q.update = u.UpdateID
		if u.ChatID != 0 {
			q.add(u.ChatID, Reply{Text: a.eng.ChatPrinter(hctx, u.ChatID).T("error_internal")}, 0, 0)
		}
		err2 := a.eng.store.CloseUpdate(hctx, u.UpdateID, a.eng.now(), q.out, "failed: "+clipBody(err.Error()))
		if err2 == nil || errors.Is(err2, storage.ErrAlreadyHandled) {
			return nil
		}
	}
	if ferr := a.eng.store.UpdateFailed(hctx, u.UpdateID, a.eng.now(), clipBody(err.Error()), false); ferr != nil {
		a.log.ErrorContext(ctx, "bot: record failed update", slog.Any("error", ferr))
	}
	return err
}
