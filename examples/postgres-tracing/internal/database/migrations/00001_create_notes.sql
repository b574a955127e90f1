-- The example table behind /api/v1/notes. Each migration is one file, numbered in order,
-- with an Up and a Down section; `postgres-tracing migrate create NAME` starts a new one.

-- +goose Up
CREATE TABLE notes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    body       text        NOT NULL CHECK (length(body) BETWEEN 1 AND 1000),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE notes;
