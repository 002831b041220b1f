-- The PMO Portal's role and database. Run once on the database server as the
-- postgres superuser:
--
--   sudo -u postgres psql -v portal_password='a long random password' -f postgres-setup.sql
--
-- Optional: -v portal_role=NAME -v portal_db=NAME (both default to portal).
-- Then allow the app hosts in pg_hba.conf (deploy/pg_hba.conf.sample) and
-- reload PostgreSQL. The portal's own tables are created by `portal db upgrade`.
\set ON_ERROR_STOP on

\if :{?portal_role}
\else
\set portal_role portal
\endif
\if :{?portal_db}
\else
\set portal_db portal
\endif
\if :{?portal_password}
\else
DO $$ BEGIN RAISE EXCEPTION 'Give the role a password: psql -v portal_password=... -f postgres-setup.sql'; END $$;
\endif

-- A login role that owns its database and nothing else: no superuser, no
-- other databases, no roles.
CREATE ROLE :"portal_role" LOGIN PASSWORD :'portal_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE;

-- UTF-8 whatever the server's default; template0 so the encoding can be chosen.
CREATE DATABASE :"portal_db" OWNER :"portal_role" ENCODING 'UTF8' TEMPLATE template0;

-- Only the portal's role may connect.
REVOKE ALL ON DATABASE :"portal_db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"portal_db" TO :"portal_role";

-- The tables go into the public schema; since PostgreSQL 15 only the database
-- owner may create there, which the role is.
\connect :"portal_db"
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"portal_role";
