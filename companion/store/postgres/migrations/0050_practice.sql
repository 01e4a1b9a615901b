-- The practice around the patients' stores (issue 15, companion/practice/): professionals,
-- which patients each may see, one-time invite codes, login codes, web sessions, the rate
-- limit on redeeming codes, and the audit log. No names, e-mail addresses or birth dates of
-- patients: a patient is a random pseudonym; the practice keeps its own link to the person.
-- Codes and session tokens are kept only as SHA-256 hashes (companion/practice/codes.py).
--
-- These tables belong to the login that migrates; the patients' role (companion_patient) is
-- granted nothing here, so a patient's store session can never read them.

CREATE TABLE practice_professionals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX practice_professionals_name ON practice_professionals (lower(name));

-- One row per patient of the practice: the pseudonym and when the patient last used the
-- companion (for retention). Goes with the patient (erase).
CREATE TABLE practice_patients (
    patient_id uuid PRIMARY KEY REFERENCES patients (id) ON DELETE CASCADE,
    pseudonym text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_active_at timestamptz NOT NULL DEFAULT now()
);

-- Who may see and change a patient: the professional who invited them, and those they were
-- shared with.
CREATE TABLE practice_access (
    professional_id uuid NOT NULL REFERENCES practice_professionals (id) ON DELETE CASCADE,
    patient_id uuid NOT NULL REFERENCES patients (id) ON DELETE CASCADE,
    via text NOT NULL CHECK (via IN ('invite', 'share')),
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (professional_id, patient_id)
);
CREATE INDEX practice_access_patient ON practice_access (patient_id);

-- Invite codes (one patient, once) and login codes (one professional, until replaced).
CREATE TABLE practice_codes (
    code_hash bytea PRIMARY KEY CHECK (length(code_hash) = 32),
    purpose text NOT NULL CHECK (purpose IN ('invite', 'login')),
    patient_id uuid REFERENCES patients (id) ON DELETE CASCADE,
    professional_id uuid REFERENCES practice_professionals (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    used_at timestamptz,
    revoked_at timestamptz,
    CHECK ((purpose = 'invite') = (patient_id IS NOT NULL)),
    CHECK ((purpose = 'login') = (professional_id IS NOT NULL))
);

-- Browser sessions (the HttpOnly cookie's token, hashed).
CREATE TABLE practice_web_sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    patient_id uuid REFERENCES patients (id) ON DELETE CASCADE,
    professional_id uuid REFERENCES practice_professionals (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CHECK ((patient_id IS NULL) <> (professional_id IS NULL))
);
CREATE INDEX practice_web_sessions_patient ON practice_web_sessions (patient_id);
CREATE INDEX practice_web_sessions_professional ON practice_web_sessions (professional_id);

-- Failed attempts to redeem a code, for the rate limit shared by every serving process.
CREATE TABLE practice_failed_attempts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_hash bytea NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX practice_failed_attempts_at ON practice_failed_attempts (at);
CREATE INDEX practice_failed_attempts_client ON practice_failed_attempts (client_hash, at);

-- Every view of patient data and every change, by whom. Not tied to the patients table: the
-- log outlives an erased patient (it names the pseudonym and what was done, never the data).
CREATE TABLE practice_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL,
    actor_kind text NOT NULL CHECK (actor_kind IN ('patient', 'professional', 'operator')),
    actor_id text NOT NULL,
    actor_name text NOT NULL,
    action text NOT NULL,
    patient_id text,
    pseudonym text,
    outcome text NOT NULL CHECK (outcome IN ('done', 'refused')),
    detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX practice_audit_at ON practice_audit (at, id);

CREATE FUNCTION practice_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER practice_audit_append_only BEFORE UPDATE OR DELETE ON practice_audit
    FOR EACH ROW EXECUTE FUNCTION practice_audit_append_only();
