// Numbered schema migrations. Append only: never edit one that has shipped.

export const MIGRATIONS: string[] = [
  // 1: the first schema
  `
  CREATE TABLE bindings (
    thread          TEXT PRIMARY KEY,          -- opaque ThreadRef
    platform        TEXT NOT NULL,
    workspace       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    session_id      TEXT NOT NULL,
    runtime         TEXT NOT NULL DEFAULT 'default',
    directory       TEXT NOT NULL,
    owner_id        TEXT NOT NULL,
    owner_name      TEXT,
    created_at      INTEGER NOT NULL,
    last_active_at  INTEGER NOT NULL
  );
  CREATE INDEX bindings_session ON bindings(session_id);

  CREATE TABLE channel_settings (
    platform    TEXT NOT NULL,
    channel     TEXT NOT NULL,
    directory   TEXT,
    model       TEXT,
    agent       TEXT,
    verbosity   TEXT,
    updated_at  INTEGER NOT NULL,
    updated_by  TEXT,
    PRIMARY KEY (platform, channel)
  );

  CREATE TABLE turns (
    id               INTEGER PRIMARY KEY,
    thread           TEXT NOT NULL,
    session_id       TEXT NOT NULL,
    user_message_id  TEXT NOT NULL UNIQUE,
    prompted_by      TEXT,
    state            TEXT NOT NULL,            -- streaming | done | failed
    seals            TEXT NOT NULL DEFAULT '[]',
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER
  );
  CREATE INDEX turns_active ON turns(state) WHERE state = 'streaming';
  CREATE INDEX turns_thread ON turns(thread);

  CREATE TABLE posted_messages (
    turn_id    INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
    slot       INTEGER NOT NULL,
    ref        TEXT NOT NULL,
    sent_hash  TEXT,
    sent_text  TEXT,
    posted_at  INTEGER NOT NULL,
    PRIMARY KEY (turn_id, slot)
  );

  CREATE TABLE interactions (
    request_id   TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,                -- permission | question
    session_id   TEXT NOT NULL,
    thread       TEXT NOT NULL,
    message_ref  TEXT,
    request      TEXT NOT NULL,                -- the runtime request (JSON)
    options      TEXT NOT NULL,                -- what the message offered (JSON)
    deadline     INTEGER NOT NULL,
    state        TEXT NOT NULL,                -- open | answered | expired | closed
    outcome      TEXT,                         -- JSON
    answered_by  TEXT,
    answered_at  INTEGER,
    created_at   INTEGER NOT NULL
  );
  CREATE INDEX interactions_open ON interactions(state) WHERE state = 'open';
  CREATE INDEX interactions_message ON interactions(message_ref);

  CREATE TABLE queued_prompts (
    id          INTEGER PRIMARY KEY,
    thread      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    user_name   TEXT,
    parts       TEXT NOT NULL,                 -- prompt parts (JSON)
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX queued_prompts_thread ON queued_prompts(thread, id);

  CREATE TABLE seen_events (
    platform  TEXT NOT NULL,
    event_id  TEXT NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (platform, event_id)
  );
  CREATE INDEX seen_events_at ON seen_events(at);

  CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    platform   TEXT,
    thread     TEXT,
    user_id    TEXT,
    user_name  TEXT,
    action     TEXT NOT NULL,
    allowed    INTEGER NOT NULL,
    detail     TEXT
  );
  CREATE INDEX audit_log_at ON audit_log(at);
  `,
  // 2: remember an interaction message's text right before posting it, so a crash between the
  //    post and recording its id can be healed by finding the message instead of posting twice
  `
  ALTER TABLE interactions ADD COLUMN posting_text TEXT;
  ALTER TABLE interactions ADD COLUMN posting_at INTEGER;
  `,
  // 3: "Always" grants kept by the relay (thread or project scope), instead of the runtime's
  //    instance-wide in-memory list
  `
  CREATE TABLE grants (
    id             INTEGER PRIMARY KEY,
    scope          TEXT NOT NULL,              -- thread | project
    thread         TEXT,                       -- for thread grants
    directory      TEXT NOT NULL,
    permission     TEXT NOT NULL,
    patterns       TEXT NOT NULL,              -- JSON string[]
    granted_by     TEXT NOT NULL,
    granted_by_id  TEXT,
    granted_at     INTEGER NOT NULL,
    request_id     TEXT,
    revoked_at     INTEGER,
    revoked_by     TEXT
  );
  CREATE INDEX grants_active ON grants(directory, thread) WHERE revoked_at IS NULL;
  `,
  // 4: whether a bound thread lives in a channel, a direct message or a group message
  `
  ALTER TABLE bindings ADD COLUMN space TEXT NOT NULL DEFAULT 'channel';
  `,
  // 5: choices a command offered as buttons or a select (model, session, diff/undo …): a click
  //    runs the command with the chosen argument, as if typed by the clicker
  `
  CREATE TABLE menus (
    id          TEXT PRIMARY KEY,
    thread      TEXT NOT NULL,
    command     TEXT NOT NULL,
    args        TEXT NOT NULL,               -- JSON string[]
    created_at  INTEGER NOT NULL
  );
  CREATE INDEX menus_created ON menus(created_at);
  `,
]
