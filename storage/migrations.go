package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations build the schema step by step; PRAGMA user_version records how
// many have run. Order matters: only ever append, never edit a released step.
var migrations = []string{
	// 1: the initial schema.
	//
	// Instants are unix seconds, 0 meaning "never" / "unknown". Carrier times
	// that a person reads (event times, ETAs) are RFC 3339 text with the
	// carrier's offset, "" when unknown; events also keep a unix column to
	// order by.
	`
	CREATE TABLE chats (
		id         INTEGER PRIMARY KEY, -- Telegram chat id
		type       TEXT    NOT NULL DEFAULT '',
		title      TEXT    NOT NULL DEFAULT '',
		active     INTEGER NOT NULL DEFAULT 1, -- 0 after Telegram said 403
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	);

	CREATE TABLE shipments (
		id            INTEGER PRIMARY KEY,
		carrier       TEXT    NOT NULL,
		number        TEXT    NOT NULL,
		status        TEXT    NOT NULL DEFAULT 'unknown',
		status_text   TEXT    NOT NULL DEFAULT '',
		service       TEXT    NOT NULL DEFAULT '',
		eta           TEXT    NOT NULL DEFAULT '',
		status_since  INTEGER NOT NULL DEFAULT 0,
		last_event_at INTEGER NOT NULL DEFAULT 0,
		delivered_at  INTEGER NOT NULL DEFAULT 0,
		created_at    INTEGER NOT NULL,
		polled_at     INTEGER NOT NULL DEFAULT 0,
		next_poll_at  INTEGER NOT NULL,
		failures      INTEGER NOT NULL DEFAULT 0,
		last_error    TEXT    NOT NULL DEFAULT '',
		last_error_at INTEGER NOT NULL DEFAULT 0,
		UNIQUE (carrier, number)
	);
	-- the poller's tick: what is due
	CREATE INDEX shipments_next_poll ON shipments (next_poll_at);

	CREATE TABLE events (
		id          INTEGER PRIMARY KEY,
		shipment_id INTEGER NOT NULL REFERENCES shipments (id) ON DELETE CASCADE,
		hash        TEXT    NOT NULL, -- over time, status, description, location
		time        TEXT    NOT NULL DEFAULT '',
		time_unix   INTEGER NOT NULL DEFAULT 0,
		status      TEXT    NOT NULL DEFAULT '',
		description TEXT    NOT NULL DEFAULT '',
		location    TEXT    NOT NULL DEFAULT '',
		recorded_at INTEGER NOT NULL,
		UNIQUE (shipment_id, hash)
	);
	CREATE INDEX events_shipment_time ON events (shipment_id, time_unix DESC, id DESC);

	CREATE TABLE subscriptions (
		id              INTEGER PRIMARY KEY,
		chat_id         INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
		shipment_id     INTEGER NOT NULL REFERENCES shipments (id),
		label           TEXT    NOT NULL DEFAULT '',
		added_by        INTEGER NOT NULL DEFAULT 0,
		added_by_name   TEXT    NOT NULL DEFAULT '',
		created_at      INTEGER NOT NULL,
		not_received_at INTEGER NOT NULL DEFAULT 0,
		UNIQUE (chat_id, shipment_id)
	);
	-- followers of a shipment (due check, RecordPoll)
	CREATE INDEX subscriptions_shipment ON subscriptions (shipment_id);

	CREATE TABLE outbox (
		id              INTEGER PRIMARY KEY,
		chat_id         INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
		subscription_id INTEGER REFERENCES subscriptions (id) ON DELETE SET NULL,
		dedupe_key      TEXT    NOT NULL UNIQUE,
		text            TEXT    NOT NULL,
		markup          TEXT    NOT NULL DEFAULT '',
		attempts        INTEGER NOT NULL DEFAULT 0,
		next_attempt_at INTEGER NOT NULL DEFAULT 0,
		created_at      INTEGER NOT NULL,
		sent_at         INTEGER NOT NULL DEFAULT 0,
		failed_at       INTEGER NOT NULL DEFAULT 0,
		last_error      TEXT    NOT NULL DEFAULT ''
	);
	-- the notifier's drain: pending rows only, so sent history costs nothing
	CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at = 0 AND failed_at = 0;
	CREATE INDEX outbox_chat ON outbox (chat_id);
	CREATE INDEX outbox_subscription ON outbox (subscription_id) WHERE subscription_id IS NOT NULL;
	`,

	// 2: carrier outages, kept across restarts so each chat is told once that
	// updates are delayed and once that they are back.
	`
	CREATE TABLE carrier_outages (
		client          TEXT    PRIMARY KEY, -- tracker.Client name
		failing_since   INTEGER NOT NULL,    -- start of the outage; part of its notices' dedupe keys
		last_failure_at INTEGER NOT NULL,
		notified_at     INTEGER NOT NULL DEFAULT 0 -- first "updates delayed" notice, 0 before
	) WITHOUT ROWID;

	-- the chats told about an outage, for the all-clear
	CREATE TABLE carrier_outage_chats (
		client   TEXT    NOT NULL REFERENCES carrier_outages (client) ON DELETE CASCADE,
		chat_id  INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
		carriers TEXT    NOT NULL DEFAULT '', -- carrier names in the notice, for the all-clear's text
		told_at  INTEGER NOT NULL,
		PRIMARY KEY (client, chat_id)
	) WITHOUT ROWID;
	CREATE INDEX carrier_outage_chats_chat ON carrier_outage_chats (chat_id);
	`,
}

// migrate applies the migrations the database has not seen yet, each in its
// own transaction together with its user_version bump, so a crash leaves the
// schema at a whole step.
func migrate(ctx context.Context, db *sql.DB) error {
	for {
		done, err := migrateOne(ctx, db)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// migrateOne applies the next pending migration; done reports there was none.
func migrateOne(ctx context.Context, db *sql.DB) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE: a second process waits here
	if err != nil {
		return false, fmt.Errorf("migrate: begin: %w", err)
	}
	defer tx.Rollback()

	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return false, fmt.Errorf("migrate: read version: %w", err)
	}
	switch {
	case version > len(migrations):
		return false, fmt.Errorf("migrate: database schema version %d is newer than this build (%d)", version, len(migrations))
	case version == len(migrations):
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[version]); err != nil {
		return false, fmt.Errorf("migrate: step %d: %w", version+1, err)
	}
	// PRAGMA takes no parameters; the value is our own integer.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, version+1)); err != nil {
		return false, fmt.Errorf("migrate: set version %d: %w", version+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate: commit step %d: %w", version+1, err)
	}
	return false, nil
}

// SchemaVersion returns the applied migration count.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.r.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("storage: schema version: %w", err)
	}
	return v, nil
}
