package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// fetchUserSQL is the one query a request runs; the FastAPI target sends the same text. pgx's default
// exec mode (QueryExecModeCacheStatement) prepares it once per connection, as asyncpg does.
const fetchUserSQL = "SELECT id, name, email FROM users WHERE id = $1"

// startupTimeout bounds the start-up checks, so an unreachable database fails fast with one line.
const startupTimeout = 5 * time.Second

// seedHint is how to fix a missing, empty or mismatched table (targets/CONTRACT.md, "Seeding").
const seedHint = "seed it with `server -seed` (go-chi) or `python -m app.seed` (fastapi), same DATABASE_URL and USERS"

// PgUserStore serves users from PostgreSQL through a pgxpool pool.
type PgUserStore struct {
	pool *pgxpool.Pool
}

func (s *PgUserStore) FetchUser(ctx context.Context, id int64) (User, error) {
	var u User
	err := s.pool.QueryRow(ctx, fetchUserSQL, id).Scan(&u.ID, &u.Name, &u.Email)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrUserNotFound
	}
	if err != nil {
		// A cancelled request is the client's doing, not the database's.
		if ctx.Err() != nil {
			return User{}, ctx.Err()
		}
		return User{}, fmt.Errorf("%w: %v", ErrStoreUnavailable, err)
	}
	return u, nil
}

func (s *PgUserStore) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

func (s *PgUserStore) Close() { s.pool.Close() }

// openPgStore creates the pool and checks, before the server listens, that the database answers, the
// credentials work and the users table holds exactly the contract's users 1..users. Every error is
// one line that says what to fix and never contains the password.
func openPgStore(ctx context.Context, databaseURL string, poolSize, users int) (*PgUserStore, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL URL or DSN (postgresql://user:password@host:port/database)")
	}
	// Every connection opened up front and kept: a request never pays for a connect.
	cfg.MaxConns = int32(poolSize)
	cfg.MinConns = int32(poolSize)
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = startupTimeout
	}
	where := fmt.Sprintf("%s (database %q, user %q)", net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))), cfg.ConnConfig.Database, cfg.ConnConfig.User)

	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, describeStartupError(err, where, users)
	}
	var count, maxID int64
	err = pool.QueryRow(ctx, "SELECT count(*), coalesce(max(id), 0) FROM users").Scan(&count, &maxID)
	if err == nil {
		err = checkUserTable(count, maxID, users)
	}
	if err != nil {
		pool.Close()
		return nil, describeStartupError(err, where, users)
	}
	return &PgUserStore{pool: pool}, nil
}

type tableError struct{ msg string }

func (e tableError) Error() string { return e.msg }

func checkUserTable(count, maxID int64, users int) error {
	if count == 0 {
		return tableError{fmt.Sprintf("the users table is empty; %s (USERS=%d)", seedHint, users)}
	}
	if count != int64(users) || maxID != int64(users) {
		return tableError{fmt.Sprintf("the users table holds %d users (highest id %d) but USERS=%d; %s", count, maxID, users, seedHint)}
	}
	return nil
}

// describeStartupError turns a driver error into the one line an operator needs.
func describeStartupError(err error, where string, users int) error {
	var te tableError
	if errors.As(err, &te) {
		return fmt.Errorf("postgres at %s: %s", where, te.msg)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return fmt.Errorf("postgres at %s refused the credentials (%s); fix the user/password in DATABASE_URL", where, pgErr.Message)
		case "3D000": // invalid_catalog_name
			return fmt.Errorf("postgres at %s: %s; create it or fix the database name in DATABASE_URL", where, pgErr.Message)
		case "42P01": // undefined_table
			return fmt.Errorf("postgres at %s has no users table; %s (USERS=%d)", where, seedHint, users)
		}
		return fmt.Errorf("postgres at %s: %s (SQLSTATE %s)", where, pgErr.Message, pgErr.Code)
	}
	return fmt.Errorf("cannot reach postgres at %s: %s; is it running and is DATABASE_URL right?", where, rootCause(err))
}

// rootCause is the network error's text (e.g. "dial tcp 127.0.0.1:5432: connect: connection refused")
// when there is one; pgx otherwise repeats the address once per attempt (TLS, then plain) on
// separate lines, so only the first line is kept.
func rootCause(err error) string {
	var netErr *net.OpError
	if errors.As(err, &netErr) {
		return netErr.Error()
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	return first
}

// seedPostgres (re)creates the users table with exactly the contract's users 1..users, in one transaction.
func seedPostgres(ctx context.Context, databaseURL string, users int) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return describeStartupError(err, "DATABASE_URL", users)
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, "DROP TABLE IF EXISTS users"); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL)"); err != nil {
		return err
	}
	rows := pgx.CopyFromFunc(func() func() ([]any, error) {
		next := int64(0)
		return func() ([]any, error) {
			if next >= int64(users) {
				return nil, nil
			}
			next++
			u := contractUser(next)
			return []any{u.ID, u.Name, u.Email}, nil
		}
	}())
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "name", "email"}, rows); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "ANALYZE users"); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
