package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trackbot/trackbot/tracker/parcel"
)

// Outages as the poller knows them (tracker/parcel).
type (
	CarrierOutage = parcel.CarrierOutage
	OutageChat    = parcel.OutageChat
	OutageNotice  = parcel.OutageNotice
)

// CarrierOutage returns the client's open outage, or ErrNotFound when the
// client is not failing.
func (s *Store) CarrierOutage(ctx context.Context, client string) (CarrierOutage, error) {
	o, err := carrierOutage(ctx, s.r, client)
	if errors.Is(err, ErrNotFound) {
		return CarrierOutage{}, ErrNotFound
	}
	if err != nil {
		return CarrierOutage{}, fmt.Errorf("storage: carrier outage of %s: %w", client, err)
	}
	return o, nil
}

func carrierOutage(ctx context.Context, q querier, client string) (CarrierOutage, error) {
	o := CarrierOutage{Client: client}
	var since, last, notified int64
	err := q.QueryRowContext(ctx, `
		SELECT failing_since, last_failure_at, notified_at FROM carrier_outages WHERE client = $1`, client).
		Scan(&since, &last, &notified)
	if errors.Is(err, sql.ErrNoRows) {
		return CarrierOutage{}, ErrNotFound
	}
	if err != nil {
		return CarrierOutage{}, err
	}
	o.FailingSince, o.LastFailureAt, o.NotifiedAt = fromUnix(since), fromUnix(last), fromUnix(notified)

	rows, err := q.QueryContext(ctx, `
		SELECT chat_id, carriers, told_at FROM carrier_outage_chats WHERE client = $1 ORDER BY chat_id`, client)
	if err != nil {
		return CarrierOutage{}, fmt.Errorf("told chats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c    OutageChat
			told int64
		)
		if err := rows.Scan(&c.ChatID, &c.Carriers, &told); err != nil {
			return CarrierOutage{}, fmt.Errorf("told chats: %w", err)
		}
		c.ToldAt = fromUnix(told)
		o.Told = append(o.Told, c)
	}
	if err := rows.Err(); err != nil {
		return CarrierOutage{}, fmt.Errorf("told chats: %w", err)
	}
	return o, nil
}

// RecordCarrierFailure notes that the client failed at at, opening an outage
// that began at since unless one is open already (its start is kept: the
// notices' dedupe keys hang on it). It returns the outage as it now stands.
func (s *Store) RecordCarrierFailure(ctx context.Context, client string, since, at time.Time) (CarrierOutage, error) {
	if since.IsZero() || since.After(at) {
		since = at
	}
	var o CarrierOutage
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO carrier_outages (client, failing_since, last_failure_at) VALUES ($1, $2, $3)
			ON CONFLICT (client) DO UPDATE SET last_failure_at = CASE
				WHEN excluded.last_failure_at > carrier_outages.last_failure_at THEN excluded.last_failure_at
				ELSE carrier_outages.last_failure_at END`,
			client, unix(since), unix(at)); err != nil {
			return err
		}
		var err error
		o, err = carrierOutage(ctx, tx, client)
		return err
	})
	if err != nil {
		return CarrierOutage{}, fmt.Errorf("storage: record failure of %s: %w", client, err)
	}
	return o, nil
}

// RecordOutageNotices marks chats told about the client's open outage and
// queues their notices, in one transaction: a chat already told is skipped,
// so however often this runs (across restarts too) each chat gets one
// notice per outage. It returns how many chats were newly told. ErrNotFound
// when the client has no open outage (it recovered meanwhile).
func (s *Store) RecordOutageNotices(ctx context.Context, client string, at time.Time, notices []OutageNotice) (int, error) {
	if len(notices) == 0 {
		return 0, nil
	}
	told := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE carrier_outages SET notified_at = $1 WHERE client = $2 AND notified_at = 0`, unix(at), client)
		if err != nil {
			return fmt.Errorf("outage: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("outage: %w", err)
		} else if n == 0 {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM carrier_outages WHERE client = $1`, client).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			if err != nil {
				return fmt.Errorf("outage: %w", err)
			}
		}
		stmt, err := tx.PrepareContext(ctx, `
			INSERT INTO carrier_outage_chats (client, chat_id, carriers, told_at)
			SELECT CAST($1 AS TEXT), CAST($2 AS BIGINT), CAST($3 AS TEXT), CAST($4 AS BIGINT)
			WHERE EXISTS (SELECT 1 FROM chats WHERE id = $2)
			ON CONFLICT (client, chat_id) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("told chats: %w", err)
		}
		defer stmt.Close()
		fresh := make([]ChatNotice, 0, len(notices))
		for _, n := range notices {
			res, err := stmt.ExecContext(ctx, client, n.Notice.ChatID, n.Carriers, unix(at))
			if err != nil {
				return fmt.Errorf("told chat %d: %w", n.Notice.ChatID, err)
			}
			if k, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("told chat %d: %w", n.Notice.ChatID, err)
			} else if k == 1 {
				fresh = append(fresh, n.Notice)
				told++
			}
		}
		_, err = enqueue(ctx, tx, unix(at), noticeMessages(fresh))
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("storage: record outage notices of %s: %w", client, err)
	}
	return told, nil
}

// RecordCarrierRecovery closes the client's outage, if one is open, queuing
// in the same transaction the all-clear notices for the chats that were told
// (a notice for a chat not told is dropped). ok is false when there was no
// outage. The check for one runs on the readers, so a carrier that is
// answering costs no write.
func (s *Store) RecordCarrierRecovery(ctx context.Context, client string, at time.Time, notices []ChatNotice) (o CarrierOutage, ok bool, err error) {
	var open int
	err = s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM carrier_outages WHERE client = $1`, client).Scan(&open)
	if err != nil {
		return CarrierOutage{}, false, fmt.Errorf("storage: record recovery of %s: %w", client, err)
	}
	if open == 0 {
		return CarrierOutage{}, false, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = carrierOutage(ctx, tx, client)
		if err != nil {
			return err // ErrNotFound: closed meanwhile
		}
		told := make([]ChatNotice, 0, len(notices))
		for _, n := range notices {
			if o.WasTold(n.ChatID) {
				told = append(told, n)
			}
		}
		if _, err := enqueue(ctx, tx, unix(at), noticeMessages(told)); err != nil {
			return err
		}
		// The told chats go with it (ON DELETE CASCADE).
		if _, err := tx.ExecContext(ctx, `DELETE FROM carrier_outages WHERE client = $1`, client); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return CarrierOutage{}, false, nil
	}
	if err != nil {
		return CarrierOutage{}, false, fmt.Errorf("storage: record recovery of %s: %w", client, err)
	}
	return o, true, nil
}
