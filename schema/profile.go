package schema

import (
	"fmt"
	"slices"
)

// Profile selects which part of the migration list a database gets.
type Profile string

const (
	// Desktop applies every migration statement.
	Desktop Profile = "desktop"
	// Mobile skips the statements that touch desktop-only tables.
	Mobile Profile = "mobile"
)

// ParseProfile returns the profile named s, or an error wrapping
// ErrUnknownProfile.
func ParseProfile(s string) (Profile, error) {
	switch p := Profile(s); p {
	case Desktop, Mobile:
		return p, nil
	}
	return "", fmt.Errorf("profile %q (want desktop or mobile): %w", s, ErrUnknownProfile)
}

// DesktopOnlyTables are the desktop's local library tables. They have no
// meaning on a phone: the mobile profile never creates them and nothing in
// them syncs.
var DesktopOnlyTables = []string{
	"tracks", "track_tags", "playlist_tracks", "cues",
	"device_exports", "device_tracks", "export_checkpoints",
}

// CacheTables are shared tables whose content is device-local. They exist in
// both profiles and never sync.
var CacheTables = []string{
	"discovery_stream_cache", "discovery_sc_client_id_cache", "discovery_audio_cache",
}

// EngineTables are the sync engine's own bookkeeping tables. They never sync
// and no changeset may target them.
var EngineTables = []string{
	"schema_version", "schema_checksums", "sync_guard", "sync_state",
	"local_changes", "field_timestamps", "capture_registers", "capture_entities", "capture_keyed_registers", "paired_devices", "parked_values", "retired_devices",
	"entity_aliases", "member_values", "lan_identity",
}

// Has reports whether the profile's databases hold table.
func (p Profile) Has(table string) bool {
	return p == Desktop || !slices.Contains(DesktopOnlyTables, table)
}
