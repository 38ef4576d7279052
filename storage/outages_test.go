package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage/storagetest"
)

func notice(client string, chat int64, since time.Time, carriers string) OutageNotice {
	return OutageNotice{
		Notice: ChatNotice{
			ChatID:    chat,
			DedupeKey: fmt.Sprintf("outage:%s:%d:%d", client, chat, since.Unix()),
			Kind:      "outage",
			Payload:   `{"carriers":["` + carriers + `"]}`,
		},
		Carriers: carriers,
	}
}

func toldChats(o CarrierOutage) []int64 {
	var ids []int64
	for _, c := range o.Told {
		ids = append(ids, c.ChatID)
	}
	return ids
}

func outboxKeys(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), `SELECT dedupe_key FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// An outage, its notices and its all-clear, with the process restarting in
// the middle: the second Store sees the outage and whom it told.
func TestCarrierOutageSurvivesRestart(t *testing.T) {
	storagetest.Each(t, testCarrierOutageSurvivesRestart)
}

func testCarrierOutageSurvivesRestart(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, path := openOn(t, e)
	for _, id := range []int64{1, 2, 3} {
		mustTouch(t, s, id, "private")
	}
	const client = "17track"
	since := t0.Add(-time.Hour) // the shipments say the carrier failed before this first failure
	o, err := s.RecordCarrierFailure(ctx, client, since, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !o.FailingSince.Equal(since) || !o.LastFailureAt.Equal(t0) || !o.NotifiedAt.IsZero() || len(o.Told) != 0 {
		t.Fatalf("opened outage = %+v", o)
	}
	// A later failure keeps the start, whatever since it offers.
	later := t0.Add(4 * time.Hour)
	if o, err = s.RecordCarrierFailure(ctx, client, later, later); err != nil {
		t.Fatal(err)
	}
	if !o.FailingSince.Equal(since) || !o.LastFailureAt.Equal(later) {
		t.Fatalf("outage after a second failure = %+v", o)
	}
	n, err := s.RecordOutageNotices(ctx, client, later, []OutageNotice{notice(client, 1, since, "17TRACK"), notice(client, 2, since, "Royal Mail, UPS")})
	if err != nil || n != 2 {
		t.Fatalf("RecordOutageNotices = %d, %v; want 2", n, err)
	}
	// Another client's outage is its own.
	if _, err := s.RecordCarrierFailure(ctx, "ups", t0, t0); err != nil {
		t.Fatal(err)
	}

	// Restart.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	o, err = s.CarrierOutage(ctx, client)
	if err != nil {
		t.Fatal(err)
	}
	if !o.FailingSince.Equal(since) || !o.NotifiedAt.Equal(later) || !slices.Equal(toldChats(o), []int64{1, 2}) ||
		!o.WasTold(2) || o.WasTold(3) || o.Told[1].Carriers != "Royal Mail, UPS" {
		t.Fatalf("outage after restart = %+v", o)
	}
	// Telling every chat again tells only the one not told yet (3); a chat
	// the bot never saw is skipped rather than failing the others.
	again := later.Add(time.Hour)
	n, err = s.RecordOutageNotices(ctx, client, again, []OutageNotice{
		notice(client, 1, since, "17TRACK"), notice(client, 2, since, "UPS"), notice(client, 3, since, "UPS"), notice(client, 404, since, "UPS")})
	if err != nil || n != 1 {
		t.Fatalf("RecordOutageNotices again = %d, %v; want 1", n, err)
	}
	if o, _ = s.CarrierOutage(ctx, client); !o.NotifiedAt.Equal(later) || o.Told[1].Carriers != "Royal Mail, UPS" {
		t.Fatalf("a second round changed the first notices: %+v", o)
	}

	// The all-clear goes to the chats told; chat 4 was never told.
	var msgs []ChatNotice
	for _, c := range []int64{1, 2, 3, 4} {
		msgs = append(msgs, ChatNotice{ChatID: c, DedupeKey: fmt.Sprintf("recovered:%s:%d:%d", client, c, since.Unix()), Kind: "recovery", Payload: "{}"})
	}
	closed, ok, err := s.RecordCarrierRecovery(ctx, client, again, msgs)
	if err != nil || !ok {
		t.Fatalf("RecordCarrierRecovery = %v, %v", ok, err)
	}
	if !slices.Equal(toldChats(closed), []int64{1, 2, 3}) {
		t.Fatalf("recovery returned %v; want chats 1, 2, 3", toldChats(closed))
	}
	if _, err := s.CarrierOutage(ctx, client); !errors.Is(err, ErrNotFound) {
		t.Fatalf("CarrierOutage after recovery: %v, want ErrNotFound", err)
	}
	var orphans int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM carrier_outage_chats WHERE client = $1`, client).Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("told chats left after recovery: %d, %v", orphans, err)
	}
	if _, ok, err := s.RecordCarrierRecovery(ctx, client, again, msgs); ok || err != nil {
		t.Fatalf("second recovery = %v, %v; want false, nil", ok, err)
	}
	if _, err := s.RecordOutageNotices(ctx, client, again, []OutageNotice{notice(client, 1, since, "x")}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("notices after recovery: %v, want ErrNotFound", err)
	}
	if _, err := s.CarrierOutage(ctx, "ups"); err != nil {
		t.Fatalf("the other client's outage: %v", err)
	}

	key := func(kind string, chat int64) string {
		return fmt.Sprintf("%s:%s:%d:%d", kind, client, chat, since.Unix())
	}
	want := []string{key("outage", 1), key("outage", 2), key("outage", 3), key("recovered", 1), key("recovered", 2), key("recovered", 3)}
	if got := outboxKeys(t, s); !slices.Equal(got, want) {
		t.Fatalf("outbox keys = %v, want %v", got, want)
	}
}

// A message failing (a dedupe key missing) leaves the outage open: the
// all-clear is never lost.
func TestCarrierRecoveryIsAllOrNothing(t *testing.T) {
	storagetest.Each(t, testCarrierRecoveryIsAllOrNothing)
}

func testCarrierRecoveryIsAllOrNothing(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, 1, "private")
	if _, err := s.RecordCarrierFailure(ctx, "dhl", t0, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordOutageNotices(ctx, "dhl", t0, []OutageNotice{notice("dhl", 1, t0, "DHL")}); err != nil {
		t.Fatal(err)
	}
	_, ok, err := s.RecordCarrierRecovery(ctx, "dhl", t0, []ChatNotice{{ChatID: 1, Kind: "recovery", Payload: "{}"}})
	if err == nil || ok {
		t.Fatalf("recovery with a bad message = %v, %v; want an error", ok, err)
	}
	o, err := s.CarrierOutage(ctx, "dhl")
	if err != nil || !o.WasTold(1) {
		t.Fatalf("outage after a failed recovery = %+v, %v; want it open with chat 1", o, err)
	}
}

// A group that becomes a supergroup keeps its place among the chats owed
// an all-clear.
func TestMigrateChatMovesOutageNotices(t *testing.T) {
	storagetest.Each(t, testMigrateChatMovesOutageNotices)
}

func testMigrateChatMovesOutageNotices(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	s, _ := openOn(t, e)
	mustTouch(t, s, -10, "group")
	mustTouch(t, s, 5, "private")
	if _, err := s.RecordCarrierFailure(ctx, "ups", t0, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordOutageNotices(ctx, "ups", t0, []OutageNotice{notice("ups", -10, t0, "UPS"), notice("ups", 5, t0, "UPS")}); err != nil {
		t.Fatal(err)
	}
	if err := s.MigrateChat(ctx, -10, -1000010); err != nil {
		t.Fatal(err)
	}
	o, err := s.CarrierOutage(ctx, "ups")
	if err != nil {
		t.Fatal(err)
	}
	if got := toldChats(o); !slices.Equal(got, []int64{-1000010, 5}) {
		t.Fatalf("told chats after migration = %v, want [-1000010 5]", got)
	}
}

// A database made before outages were stored upgrades in place.
func TestMigrateFromFirstSchemaKeepsData(t *testing.T) {
	storagetest.Each(t, testMigrateFromFirstSchemaKeepsData)
}

func testMigrateFromFirstSchemaKeepsData(t *testing.T, e storagetest.Engine) {
	ctx := context.Background()
	path := e.DSN(t)
	engine, driver, step := SQLite, "sqlite3", migrations[0].sqlite
	if EngineOf(path) == PostgreSQL {
		engine, driver, step = PostgreSQL, "pgx", migrations[0].postgres
	}
	db, err := sql.Open(driver, path)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schemaVersion(ctx, tx, engine); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, step); err != nil {
		t.Fatal(err)
	}
	if err := setSchemaVersion(ctx, tx, engine, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO chats (id, created_at, updated_at) VALUES (7, 1, 1)`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, len(migrations))
	}
	if _, err := s.Chat(ctx, 7); err != nil {
		t.Fatalf("chat from the old schema: %v", err)
	}
	if _, err := s.RecordCarrierFailure(ctx, "usps", t0, t0); err != nil {
		t.Fatalf("outage on the upgraded schema: %v", err)
	}
}
