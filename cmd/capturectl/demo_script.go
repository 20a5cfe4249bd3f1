package main

// The demo's data: what the desktop starts with, and the edits both devices
// make while apart. The releases, artists and labels are made up.

// demoSeed is what the desktop holds before it meets the phone: three
// discovery releases with their tracks and tags.
const demoSeed = `
INSERT INTO tag_categories (id, name, sort_order) VALUES ('mood', 'Mood', 1), ('genre', 'Genre', 2);
INSERT INTO tags (id, category_id, name) VALUES
	('dark', 'mood', 'Dark'), ('warm', 'mood', 'Warm'),
	('garage', 'genre', 'UK Garage'), ('ambient', 'genre', 'Ambient');
INSERT INTO discovery_releases (id, url, source_type, artist, title, label, release_date, date_added, date_modified) VALUES
	('r1', 'https://nightbus.bandcamp.com/album/city-lights-ep', 'bandcamp', 'Nightbus', 'City Lights EP', 'Hypnagogic',
		'2025-11-07', '2026-02-01T10:00:00Z', '2026-02-01T10:00:00Z'),
	('r2', 'https://velvetstatic.bandcamp.com/album/soft-machines', 'bandcamp', 'Velvet Static', 'Soft Machines', 'Ninefold',
		'2024-03-15', '2026-02-01T10:05:00Z', '2026-02-01T10:05:00Z'),
	('r3', 'https://soundcloud.com/low-orbit/sets/perigee', 'soundcloud', 'Low Orbit', 'Perigee', NULL,
		'2026-01-20', '2026-02-01T10:10:00Z', '2026-02-01T10:10:00Z');
INSERT INTO discovery_tracks (id, release_id, name, position, duration_ms) VALUES
	('r1-1', 'r1', 'Last Train', 1, 231000), ('r1-2', 'r1', 'Sodium', 2, 254000), ('r1-3', 'r1', 'Ghost Signal', 3, 287000),
	('r2-1', 'r2', 'Tape Hiss', 1, 198000), ('r2-2', 'r2', 'Soft Machines', 2, 402000),
	('r3-1', 'r3', 'Apogee', 1, 312000), ('r3-2', 'r3', 'Drift', 2, 275000);
INSERT INTO discovery_release_tags (release_id, tag_id) VALUES
	('r1', 'dark'), ('r1', 'garage'), ('r2', 'warm'), ('r2', 'ambient'), ('r3', 'ambient');
`

// demoEdit is one edit a device makes while the two are apart.
type demoEdit struct {
	// phone: made on the phone, else on the desktop.
	phone bool
	// sql makes the edit, as the app would.
	sql string
	// table, entity and field name the register the edit writes ("" for
	// the row's existence); what describes it for people.
	table, entity, field, what string
}

// demoEdits are made in this order: the phone's first, then (a moment
// later) the desktop's, so the desktop's title is the later write.
var demoEdits = []demoEdit{
	{phone: true, sql: `UPDATE discovery_releases SET notes = 'Play after midnight' WHERE id = 'r1'`,
		table: "discovery_releases", entity: "r1", field: "notes", what: "r1: notes = 'Play after midnight'"},
	{phone: true, sql: `UPDATE discovery_releases SET title = 'City Lights (EP)' WHERE id = 'r1'`,
		table: "discovery_releases", entity: "r1", field: "title", what: "r1: title = 'City Lights (EP)'"},
	{phone: true, sql: `DELETE FROM discovery_tracks WHERE id = 'r1-3'`,
		table: "discovery_tracks", entity: "r1-3", what: "r1: deletes track r1-3, 'Ghost Signal'"},
	{phone: true, sql: `DELETE FROM discovery_release_tags WHERE release_id = 'r2' AND tag_id = 'warm'`,
		table: "discovery_release_tags", entity: "'r2','warm'", what: "r2: removes tag Warm"},
	{sql: `UPDATE discovery_releases SET label = 'Hypnagogic Records' WHERE id = 'r1'`,
		table: "discovery_releases", entity: "r1", field: "label", what: "r1: label = 'Hypnagogic Records'"},
	{sql: `UPDATE discovery_releases SET title = 'City Lights EP (Remastered)' WHERE id = 'r1'`,
		table: "discovery_releases", entity: "r1", field: "title", what: "r1: title = 'City Lights EP (Remastered)'"},
	{sql: `INSERT INTO discovery_release_tags (release_id, tag_id) VALUES ('r3', 'dark')`,
		table: "discovery_release_tags", entity: "'r3','dark'", what: "r3: adds tag Dark"},
}
