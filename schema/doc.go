// Package schema holds the app's database migrations, the two profiles they
// are applied in, and the sync spec: which tables and columns sync.
//
// The migration list is shared by the desktop and the mobile app and is
// append-only. Migrations 1 and 2 are the desktop app's own, kept exactly as
// shipped; the sync engine's tables start at migration 3. The mobile profile
// skips every statement that creates, alters or indexes a desktop-only table,
// so "schema version N" names the same shared tables on either device.
//
// Migrate runs the list against a connection, one transaction per migration,
// and records the version in the app's own schema_version table and a
// checksum of each migration in schema_checksums.
package schema
