-- A data directory's store as newsbot 0.1 (commit 10a01fe) left it: plain sqlite3, named migrations in
-- `migrations`, articles with a `state`, naive UTC dates as text and arrival times as epoch seconds.
CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at REAL);
CREATE TABLE articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, category TEXT NOT NULL DEFAULT '',
    published TEXT, url TEXT, author TEXT, origin TEXT, content_hash TEXT NOT NULL,
    state TEXT NOT NULL, added_at REAL NOT NULL, paragraph_count INTEGER NOT NULL DEFAULT 0);
CREATE INDEX articles_origin ON articles(origin);
CREATE INDEX articles_state ON articles(state) WHERE state != 'indexed';
CREATE INDEX articles_published ON articles(published);
CREATE TABLE paragraphs (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    text TEXT NOT NULL, PRIMARY KEY (article_id, position)) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE chats (
    chat_id INTEGER PRIMARY KEY, kind TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1, updated_at REAL NOT NULL);
CREATE TABLE queries (
    key TEXT PRIMARY KEY, question TEXT NOT NULL, category TEXT, since TEXT, until TEXT,
    generation INTEGER NOT NULL, created_at REAL NOT NULL);
INSERT INTO migrations VALUES ('0001_articles', 1700000000.0), ('0002_chats_and_queries', 1700000000.0),
    ('0003_paragraph_count', 1700000000.0);
INSERT INTO articles VALUES
    ('aaaaaaaaaaaaaaaa', 'Harbour ferry returns', 'Local', '2021-06-15T18:05:00', 'https://n.example/ferry', 'Ana',
     '/data/ferry.txt', 'h1', 'indexed', 1700000000.5, 2),
    ('bbbbbbbbbbbbbbbb', 'Undated council note', '', NULL, NULL, NULL, '/data/note.txt', 'h2', 'pending',
     1700000100.0, 1),
    ('cccccccccccccccc', 'Being deleted', 'Local', '2020-01-01T00:00:00', NULL, NULL, '/data/old.txt', 'h3',
     'deleting', 1600000000.0, 1);
INSERT INTO paragraphs VALUES
    ('aaaaaaaaaaaaaaaa', 0, 'The harbour ferry returned to service after a winter of repairs.'),
    ('aaaaaaaaaaaaaaaa', 1, 'Passengers queued from dawn, the skipper said.'),
    ('bbbbbbbbbbbbbbbb', 0, 'The council will meet on Thursday about the bins.'),
    ('cccccccccccccccc', 0, 'An old story that a re-ingest was replacing.');
INSERT INTO meta VALUES ('generation', '3');
INSERT INTO chats VALUES (42, 'private', 'Alice', 1, 1700000200.0), (-500, 'group', 'Harbour club', 0, 1700000300.0);
INSERT INTO queries VALUES ('0123456789ab', 'harbour', NULL, NULL, NULL, 3, 1700000400.0);
