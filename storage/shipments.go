package storage

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trackbot/trackbot/tracker"
)

// shipmentColumns are what shipmentRow scans (alias s).
const shipmentColumns = `s.id, s.carrier, s.number, s.status, s.status_text, s.service, s.eta,
	s.status_since, s.last_event_at, s.delivered_at, s.created_at, s.polled_at, s.next_poll_at,
	s.failures, s.last_error, s.last_error_at`

// shipmentRow holds one scanned row of shipmentColumns. A loop reuses one
// row, so the scan destinations are allocated once, not per shipment.
type shipmentRow struct {
	sh                                           Shipment
	status, eta                                  string
	since, lastEvent, delivered, created, polled int64
	next, errAt                                  int64
	dest                                         []any
}

func (r *shipmentRow) targets() []any {
	if r.dest == nil {
		r.dest = []any{&r.sh.ID, &r.sh.Carrier, &r.sh.Number, &r.status, &r.sh.StatusText, &r.sh.Service, &r.eta,
			&r.since, &r.lastEvent, &r.delivered, &r.created, &r.polled, &r.next, &r.sh.Failures, &r.sh.LastError, &r.errAt}
	}
	return r.dest
}

// shipment converts the scanned row.
func (r *shipmentRow) shipment() (Shipment, error) {
	sh := r.sh
	eta, err := fromZoned(r.eta)
	if err != nil {
		return Shipment{}, fmt.Errorf("shipment %d eta: %w", sh.ID, err)
	}
	sh.Status = tracker.Status(r.status)
	sh.ETA = eta
	sh.StatusSince = fromUnix(r.since)
	sh.LastEventAt = fromUnix(r.lastEvent)
	sh.DeliveredAt = fromUnix(r.delivered)
	sh.CreatedAt = fromUnix(r.created)
	sh.PolledAt = fromUnix(r.polled)
	sh.NextPollAt = fromUnix(r.next)
	sh.LastErrorAt = fromUnix(r.errAt)
	return sh, nil
}

func scanShipment(sc scanner, r *shipmentRow) (Shipment, error) {
	if err := sc.Scan(r.targets()...); err != nil {
		return Shipment{}, err
	}
	return r.shipment()
}

func shipmentByID(ctx context.Context, q querier, id int64) (Shipment, error) {
	sh, err := scanShipment(q.QueryRowContext(ctx, `SELECT `+shipmentColumns+` FROM shipments s WHERE s.id = $1`, id), &shipmentRow{})
	if errors.Is(err, sql.ErrNoRows) {
		return Shipment{}, ErrNotFound
	}
	return sh, err
}

// Shipment returns one shipment, or ErrNotFound.
func (s *Store) Shipment(ctx context.Context, id int64) (Shipment, error) {
	sh, err := shipmentByID(ctx, s.r, id)
	if errors.Is(err, ErrNotFound) {
		return Shipment{}, ErrNotFound
	}
	if err != nil {
		return Shipment{}, fmt.Errorf("storage: shipment %d: %w", id, err)
	}
	return sh, nil
}

// DueShipments returns shipments with next_poll_at <= now that at least one
// active chat follows, oldest due first; at most limit (0: all).
func (s *Store) DueShipments(ctx context.Context, now time.Time, limit int) ([]Shipment, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+shipmentColumns+` FROM shipments s
		WHERE s.next_poll_at <= $1
		  AND EXISTS (
			SELECT 1 FROM subscriptions sub JOIN chats c ON c.id = sub.chat_id
			WHERE sub.shipment_id = s.id AND c.active = 1)
		ORDER BY s.next_poll_at, s.id
		LIMIT $2`, now.Unix(), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: due shipments: %w", err)
	}
	out, err := collectShipments(rows, limit)
	if err != nil {
		return nil, fmt.Errorf("storage: due shipments: %w", err)
	}
	return out, nil
}

// collectShipments reads every shipment row and closes rows; sizeHint
// (the query's limit) sizes the slice.
func collectShipments(rows *sql.Rows, sizeHint int) ([]Shipment, error) {
	defer rows.Close()
	out := make([]Shipment, 0, max(sizeHint, 0))
	var row shipmentRow
	for rows.Next() {
		sh, err := scanShipment(rows, &row)
		if err != nil {
			return nil, err
		}
		out = append(out, sh)
	}
	return out, rows.Err()
}

const followersQuery = `
	SELECT ` + subscriptionColumns + `
	FROM subscriptions sub
	JOIN shipments s ON s.id = sub.shipment_id
	JOIN chats c ON c.id = sub.chat_id
	WHERE sub.shipment_id = $1 AND c.active = 1
	ORDER BY sub.id`

// Followers returns the subscriptions to a shipment in active chats.
func (s *Store) Followers(ctx context.Context, shipmentID int64) ([]Subscription, error) {
	subs, err := querySubscriptions(ctx, s.r, followersQuery, shipmentID)
	if err != nil {
		return nil, fmt.Errorf("storage: followers of %d: %w", shipmentID, err)
	}
	return subs, nil
}

// ShipmentEvents returns a shipment's stored events, newest first, at most
// limit (0: all). Times come back with the carrier's zone offset.
func (s *Store) ShipmentEvents(ctx context.Context, shipmentID int64, limit int) ([]tracker.Event, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT time, status, description, location FROM events
		WHERE shipment_id = $1
		ORDER BY time_unix DESC, id DESC
		LIMIT $2`, shipmentID, limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: events of %d: %w", shipmentID, err)
	}
	defer rows.Close()
	var events []tracker.Event
	for rows.Next() {
		var (
			e  tracker.Event
			at string
		)
		if err := rows.Scan(&at, &e.Status, &e.Description, &e.Location); err != nil {
			return nil, fmt.Errorf("storage: events of %d: %w", shipmentID, err)
		}
		if e.Time, err = fromZoned(at); err != nil {
			return nil, fmt.Errorf("storage: events of %d: %w", shipmentID, err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: events of %d: %w", shipmentID, err)
	}
	return events, nil
}

// FirstEventAt is the time of the oldest scan stored for carrier's number,
// and whether there is one: when the parcel's history began as far as this
// database knows (the demo carrier resumes its stories from it).
func (s *Store) FirstEventAt(ctx context.Context, carrier, number string) (time.Time, bool, error) {
	var first sql.NullInt64
	err := s.r.QueryRowContext(ctx, `
		SELECT MIN(e.time_unix) FROM events e JOIN shipments sh ON sh.id = e.shipment_id
		WHERE sh.carrier = $1 AND sh.number = $2 AND e.time_unix <> 0`, carrier, number).Scan(&first)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("storage: first event of %s %s: %w", carrier, number, err)
	}
	if !first.Valid {
		return time.Time{}, false, nil
	}
	return fromUnix(first.Int64), true, nil
}

// eventHash identifies a carrier scan: the same instant, status, description
// and location is the same scan however often a carrier repeats it. The
// instant, not its text, goes in, so a zone change alone is no new scan.
func eventHash(e tracker.Event) string {
	var at string
	if !e.Time.IsZero() {
		at = e.Time.UTC().Format(time.RFC3339Nano)
	}
	// Each field length-prefixed, so no text can pass for a field boundary.
	// Built in one buffer (on the stack for usual scans) and hashed at once.
	var buf [256]byte
	b := buf[:0]
	for _, s := range [...]string{at, string(e.Status), strings.TrimSpace(e.Description), strings.TrimSpace(e.Location)} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// RecordPoll writes a successful poll in one transaction and returns the
// events that were new, newest first: the new events, the shipment's state
// (StatusSince moves only when the status changes) and next poll time, and
// r.Notice for every follower in an active chat, each queued once per dedupe
// key. Either all of it is stored or none, so a crash can neither lose a
// push nor queue it twice.
func (s *Store) RecordPoll(ctx context.Context, r PollRecord) ([]tracker.Event, error) {
	var fresh []tracker.Event
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w := pollWriter{tx: tx} // one record: nothing to gain by preparing
		var err error
		fresh, _, err = w.record(ctx, r)
		return err
	})
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrStale) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("storage: record poll of %d: %w", r.ShipmentID, err)
	}
	return fresh, nil
}

// RecordPolls writes a batch of successful polls (a carrier's batch) in one
// transaction, each record exactly as RecordPoll would: a record that fails
// is rolled back alone, to a savepoint, and reported in its outcome, so each
// shipment is still all or nothing. One commit and one preparation of each
// statement serve the whole batch. The error is for the batch as a whole
// (begin, commit, a cancelled context): then nothing was stored.
//
// Savepoints cost two round trips a record, and records almost never fail
// after they started writing (a gone or stale shipment is found before
// any write): the batch is written without them, and only when a record
// fails midway is it rolled back and written again with them.
func (s *Store) RecordPolls(ctx context.Context, records []PollRecord) ([]PollOutcome, error) {
	if len(records) == 0 {
		return nil, nil
	}
	outs, err := s.recordPolls(ctx, records, false)
	if errors.Is(err, errNeedSavepoints) {
		outs, err = s.recordPolls(ctx, records, true)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: record %d polls: %w", len(records), err)
	}
	return outs, nil
}

// errNeedSavepoints: a record failed after it wrote; the batch is rolled
// back to be written again record by record.
var errNeedSavepoints = errors.New("a record failed midway")

func (s *Store) recordPolls(ctx context.Context, records []PollRecord, savepoints bool) ([]PollOutcome, error) {
	outs := make([]PollOutcome, len(records))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		w := pollWriter{tx: tx, prepare: true}
		defer w.close()
		for i, r := range records {
			if savepoints {
				if err := w.exec(ctx, &w.savepoint, `SAVEPOINT poll`); err != nil {
					return err
				}
			}
			fresh, queued, err := w.record(ctx, r)
			if err != nil && !savepoints {
				if errors.Is(err, ErrNotFound) || errors.Is(err, ErrStale) {
					outs[i].Err = err // found before any write: nothing to undo
					continue
				}
				return errNeedSavepoints
			}
			if err != nil {
				if errors.Is(err, ErrNotFound) || errors.Is(err, ErrStale) {
					// as it is
				} else {
					err = fmt.Errorf("storage: record poll of %d: %w", r.ShipmentID, err)
				}
				outs[i].Err = err
				if err := w.exec(ctx, &w.rollback, `ROLLBACK TO poll`); err != nil {
					return err
				}
			}
			outs[i].Fresh, outs[i].Queued = fresh, queued
			if savepoints {
				if err := w.exec(ctx, &w.release, `RELEASE poll`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return outs, err
}

// pollWriter writes polls inside one transaction. With prepare set it
// prepares each statement on first use and keeps it for the records that
// follow; a single record runs its statements directly.
type pollWriter struct {
	tx                              *sql.Tx
	prepare                         bool
	shipment, event, update, outbox *sql.Stmt
	savepoint, rollback, release    *sql.Stmt
	row                             shipmentRow
}

// execFunc runs one statement; a prepared statement's ExecContext is one.
type execFunc func(ctx context.Context, args ...any) (sql.Result, error)

// execer returns how to run query: through st, prepared on first use, or
// directly on the transaction.
func (w *pollWriter) execer(ctx context.Context, st **sql.Stmt, query string) (execFunc, error) {
	if !w.prepare {
		return func(ctx context.Context, args ...any) (sql.Result, error) {
			return w.tx.ExecContext(ctx, query, args...)
		}, nil
	}
	if *st == nil {
		p, err := w.tx.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		*st = p
	}
	return (*st).ExecContext, nil
}

func (w *pollWriter) query(ctx context.Context, st **sql.Stmt, query string, args ...any) (*sql.Rows, error) {
	if !w.prepare {
		return w.tx.QueryContext(ctx, query, args...)
	}
	if *st == nil {
		p, err := w.tx.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		*st = p
	}
	return (*st).QueryContext(ctx, args...)
}

func (w *pollWriter) exec(ctx context.Context, st **sql.Stmt, query string, args ...any) error {
	run, err := w.execer(ctx, st, query)
	if err == nil {
		_, err = run(ctx, args...)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", query, err)
	}
	return nil
}

func (w *pollWriter) close() {
	for _, st := range []*sql.Stmt{w.shipment, w.event, w.update, w.outbox, w.savepoint, w.rollback, w.release} {
		if st != nil {
			st.Close()
		}
	}
}

// shipmentByID reads the shipment as it is inside the transaction.
func (w *pollWriter) shipmentByID(ctx context.Context, id int64) (Shipment, error) {
	rows, err := w.query(ctx, &w.shipment, `SELECT `+shipmentColumns+` FROM shipments s WHERE s.id = $1`, id)
	if err != nil {
		return Shipment{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Shipment{}, err
		}
		return Shipment{}, ErrNotFound
	}
	sh, err := scanShipment(rows, &w.row)
	if err != nil {
		return Shipment{}, err
	}
	return sh, rows.Close()
}

// record writes one poll; see RecordPoll.
func (w *pollWriter) record(ctx context.Context, r PollRecord) ([]tracker.Event, int, error) {
	if r.PolledAt.IsZero() {
		r.PolledAt = time.Now()
	}
	before, err := w.shipmentByID(ctx, r.ShipmentID)
	if errors.Is(err, ErrNotFound) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("shipment: %w", err)
	}
	if r.Notice != nil && unix(before.PolledAt) != unix(r.Expect) {
		return nil, 0, ErrStale
	}
	polled := r.PolledAt.Unix()

	var fresh []tracker.Event
	if len(r.Result.Events) > 0 {
		ins, err := w.execer(ctx, &w.event, insertEventQuery)
		if err != nil {
			return nil, 0, fmt.Errorf("events: %w", err)
		}
		if fresh, err = insertEvents(ctx, ins, r.ShipmentID, r.Result.Events, polled); err != nil {
			return nil, 0, err
		}
	}

	status := r.Result.Status
	if status == "" {
		status = before.Status
	}
	since := before.StatusSince
	if status != before.Status || since.IsZero() {
		since = r.PolledAt
	}
	lastEvent := before.LastEventAt
	for _, e := range r.Result.Events {
		if e.Time.After(lastEvent) {
			lastEvent = e.Time
		}
	}
	var delivered time.Time
	if status == tracker.StatusDelivered {
		delivered = before.DeliveredAt
		if delivered.IsZero() {
			delivered = deliveryTime(r.Result.Events, r.PolledAt)
		}
	}
	err = w.exec(ctx, &w.update, `
		UPDATE shipments SET
			status = $1, status_text = $2, service = COALESCE(NULLIF($3, ''), service), eta = $4,
			status_since = $5, last_event_at = $6, delivered_at = $7,
			polled_at = $8, next_poll_at = $9, failures = 0, last_error = '', last_error_at = 0, lease_until = 0
		WHERE id = $10`,
		string(status), tracker.Clip(r.Result.StatusText, maxCarrierText), tracker.Clip(r.Result.Service, maxCarrierName), zoned(r.Result.ETA),
		unix(since), unix(lastEvent), unix(delivered),
		polled, unix(r.NextPollAt), r.ShipmentID)
	if err != nil {
		return nil, 0, fmt.Errorf("update shipment: %w", err)
	}

	if r.Notice == nil {
		return fresh, 0, nil
	}
	ins, err := w.execer(ctx, &w.outbox, fanOutQuery)
	if err != nil {
		return nil, 0, fmt.Errorf("outbox: %w", err)
	}
	res, err := ins(ctx, r.Notice.DedupeKey, polled, r.Notice.Kind, r.Notice.Payload, r.ShipmentID)
	if err != nil {
		return nil, 0, fmt.Errorf("outbox %q: %w", r.Notice.DedupeKey, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, 0, fmt.Errorf("outbox %q: %w", r.Notice.DedupeKey, err)
	}
	return fresh, int(n), nil
}

// Carrier texts are stored capped: a carrier (or a proxy's error page) may
// send anything, and one parcel must not fill the disk or a message.
const (
	maxCarrierText = 1000 // an event's description, the status text, a poll error
	maxCarrierName = 200  // a location, a service name
)

const insertEventQuery = `
	INSERT INTO events (shipment_id, hash, time, time_unix, status, description, location, recorded_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
	ON CONFLICT (shipment_id, hash) DO NOTHING`

// insertEvents stores the events not seen before and returns those, newest first.
func insertEvents(ctx context.Context, exec execFunc, shipmentID int64, events []tracker.Event, recorded int64) ([]tracker.Event, error) {
	var fresh []tracker.Event
	for _, e := range events {
		res, err := exec(ctx, shipmentID, eventHash(e), zoned(e.Time), unix(e.Time),
			string(e.Status), tracker.Clip(e.Description, maxCarrierText), tracker.Clip(e.Location, maxCarrierName), recorded)
		if err != nil {
			return nil, fmt.Errorf("event: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("event: %w", err)
		} else if n == 1 {
			fresh = append(fresh, e)
		}
	}
	// Carriers promise newest first; make sure (stable, so equal times keep their order).
	slices.SortStableFunc(fresh, func(a, b tracker.Event) int { return b.Time.Compare(a.Time) })
	return fresh, nil
}

// deliveryTime is the newest delivered event's time, else fallback.
func deliveryTime(events []tracker.Event, fallback time.Time) time.Time {
	var t time.Time
	for _, e := range events {
		if e.Status == tracker.StatusDelivered && e.Time.After(t) {
			t = e.Time
		}
	}
	if t.IsZero() {
		return fallback
	}
	return t
}

// RecordPollFailure counts a failed poll and sets the next attempt. PolledAt
// (the last successful poll) is left alone.
func (s *Store) RecordPollFailure(ctx context.Context, shipmentID int64, at, next time.Time, errText string) error {
	res, err := s.w.ExecContext(ctx, `
		UPDATE shipments SET failures = failures + 1, last_error = $1, last_error_at = $2, next_poll_at = $3, lease_until = 0
		WHERE id = $4`, tracker.Clip(errText, maxCarrierText), unix(at), unix(next), shipmentID)
	if err == nil {
		err = mustAffect(res)
	}
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("storage: record poll failure of %d: %w", shipmentID, err)
	}
	return nil
}
