package database

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Note is a row of the example table, notes (migrations/00001_create_notes.sql).
type Note struct {
	ID        int64     `json:"id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// ErrNotFound is returned for a row that does not exist.
var ErrNotFound = errors.New("not found")

// Notes reads and writes the notes table through the pool. While the watcher knows the
// server is down, every method returns an error wrapping ErrUnavailable at once.
type Notes struct {
	DB *DB
}

// RetryAfter is how long clients should wait while the database is unavailable.
func (n Notes) RetryAfter() time.Duration { return n.DB.RetryAfter() }

// Add stores a note and returns it as stored.
func (n Notes) Add(ctx context.Context, body string) (Note, error) {
	if err := n.DB.Available(); err != nil {
		return Note{}, err
	}
	rows, _ := n.DB.Pool.Query(ctx, `INSERT INTO notes (body) VALUES ($1) RETURNING id, body, created_at`, body)
	return pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Note])
}

// Get returns the note with this id, or ErrNotFound.
func (n Notes) Get(ctx context.Context, id int64) (Note, error) {
	if err := n.DB.Available(); err != nil {
		return Note{}, err
	}
	rows, _ := n.DB.Pool.Query(ctx, `SELECT id, body, created_at FROM notes WHERE id = $1`, id)
	note, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[Note])
	if errors.Is(err, pgx.ErrNoRows) {
		return Note{}, ErrNotFound
	}
	return note, err
}

// Latest returns up to limit notes, newest first.
func (n Notes) Latest(ctx context.Context, limit int) ([]Note, error) {
	if err := n.DB.Available(); err != nil {
		return nil, err
	}
	rows, _ := n.DB.Pool.Query(ctx, `SELECT id, body, created_at FROM notes ORDER BY id DESC LIMIT $1`, limit)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Note])
}
