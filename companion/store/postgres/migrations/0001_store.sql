-- The companion's store for many patients (issue 15): the SQLite store's tables, each row
-- belonging to one pseudonymous patient, with row-level security as a second wall.
--
-- Timestamps are kept as the ISO text the clock gave (offset included), as the SQLite store
-- keeps them, so both backends give back the same values; sessions also keep their start as
-- timestamptz, to be ordered and compared across offsets.

-- The role the store works as (SET ROLE). It owns nothing, so row-level security applies to
-- it; the login that migrates (the tables' owner) is made a member so it may switch to it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'companion_patient') THEN
        CREATE ROLE companion_patient NOLOGIN NOSUPERUSER NOINHERIT NOBYPASSRLS;
    END IF;
    IF NOT pg_has_role(current_user, 'companion_patient', 'MEMBER') THEN
        EXECUTE format('GRANT companion_patient TO %I', current_user);
    END IF;
END
$$;

-- A patient is a pseudonym and nothing else: no name, e-mail address or birth date.
CREATE TABLE patients (
    id uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE settings (
    patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    key text NOT NULL CHECK (key <> ''),
    value text NOT NULL,
    at text NOT NULL,
    PRIMARY KEY (patient_id, key)
);

CREATE TABLE events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    at text NOT NULL,
    person text NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL
);
CREATE INDEX events_patient_kind ON events (patient_id, kind, id);

CREATE TABLE episodes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    onset date NOT NULL,
    ended date,
    at text NOT NULL,
    UNIQUE (patient_id, id)
);

CREATE TABLE plans (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    at text NOT NULL,
    plan jsonb NOT NULL
);
CREATE INDEX plans_patient ON plans (patient_id, id);

CREATE TABLE sessions (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    key text NOT NULL UNIQUE,
    flow_id text NOT NULL,
    language text NOT NULL,
    region text,
    inputs jsonb NOT NULL,
    episode bigint,
    started timestamptz NOT NULL,
    started_at text NOT NULL,
    finished_at text,
    outcome jsonb,
    -- An episode of another patient can never be named.
    FOREIGN KEY (patient_id, episode) REFERENCES episodes (patient_id, id) ON DELETE CASCADE,
    UNIQUE (patient_id, key)
);
CREATE INDEX sessions_patient_flow ON sessions (patient_id, flow_id, started, seq)
    WHERE finished_at IS NOT NULL;
CREATE INDEX sessions_patient_open ON sessions (patient_id, started, seq)
    WHERE finished_at IS NULL;
CREATE INDEX sessions_patient ON sessions (patient_id, started, seq);

CREATE TABLE answers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    patient_id uuid NOT NULL,
    session_key text NOT NULL,
    flow_id text NOT NULL,
    question_id text NOT NULL,
    value jsonb NOT NULL,
    at text NOT NULL,
    -- An answer belongs to a session of the same patient.
    FOREIGN KEY (patient_id, session_key) REFERENCES sessions (patient_id, key) ON DELETE CASCADE
);
CREATE INDEX answers_session ON answers (patient_id, session_key, id);

-- Append-only, as in the SQLite store: events and answers are never changed, and deleted
-- only with their patient (erase).
CREATE FUNCTION companion_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT FROM patients WHERE id = OLD.patient_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% are append-only', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION companion_append_only();
CREATE TRIGGER answers_append_only BEFORE UPDATE OR DELETE ON answers
    FOR EACH ROW EXECUTE FUNCTION companion_append_only();

-- The second wall: working as companion_patient, a session sees and writes only the rows of
-- the patient named in its setting companion.patient (none when it is not set).
CREATE FUNCTION companion_current_patient() RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('companion.patient', true), '')::uuid
$$;

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['settings', 'events', 'episodes', 'plans', 'sessions', 'answers']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', name);
        EXECUTE format(
            'CREATE POLICY %I ON %I TO companion_patient '
            'USING (patient_id = companion_current_patient()) '
            'WITH CHECK (patient_id = companion_current_patient())',
            name || '_own_patient', name);
    END LOOP;
END
$$;
ALTER TABLE patients ENABLE ROW LEVEL SECURITY;
CREATE POLICY patients_own_patient ON patients TO companion_patient
    USING (id = companion_current_patient());

GRANT USAGE ON SCHEMA public TO companion_patient;
GRANT SELECT, DELETE ON patients TO companion_patient;
GRANT SELECT, INSERT, UPDATE, DELETE ON settings, episodes, plans, sessions TO companion_patient;
GRANT SELECT, INSERT, DELETE ON events, answers TO companion_patient;
GRANT EXECUTE ON FUNCTION companion_current_patient() TO companion_patient;
GRANT SELECT ON schema_migrations TO companion_patient;
