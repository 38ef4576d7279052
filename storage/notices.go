package storage

import "context"

// QueueNotices queues notices for chats (the poller's advice), each once per
// dedupe key; it returns how many were newly queued.
func (s *Store) QueueNotices(ctx context.Context, ns ...ChatNotice) (int, error) {
	return s.Enqueue(ctx, noticeMessages(ns)...)
}

// noticeMessages are notices as outbox rows: pushes rendered when sent.
func noticeMessages(ns []ChatNotice) []OutboxMessage {
	msgs := make([]OutboxMessage, len(ns))
	for i, n := range ns {
		msgs[i] = OutboxMessage{ChatID: n.ChatID, SubscriptionID: n.SubscriptionID, DedupeKey: n.DedupeKey, Kind: n.Kind, Payload: n.Payload}
	}
	return msgs
}
