package schema

import "slices"

// Spec says what syncs: the synced tables, and within them what stays on the
// device. A synced table's tracked fields are all its non-key columns except
// those it excludes, read from the live database, so a column added later is
// tracked without a change here.
type Spec struct {
	Tables []TableSpec
}

// TableSpec is how one table syncs.
type TableSpec struct {
	// Name is the table's name.
	Name string
	// Exclude lists columns that are never tracked.
	Exclude []string
	// LocalKeys lists key values whose rows are device-local: edits to them
	// are never captured. Only for tables with a one-column key.
	LocalKeys []string
	// NaturalKeys adds natural keys (each a list of tracked columns) to
	// those the table's unique indexes give; IgnoreNaturalKeys removes
	// some of those, by their columns. See NaturalKey.
	NaturalKeys, IgnoreNaturalKeys [][]string
	// Filter, if set, limits the table to the rows that match it.
	Filter *RowFilter
}

// Table returns the spec of the named table, and whether it syncs.
func (s Spec) Table(name string) (TableSpec, bool) {
	for _, t := range s.Tables {
		if t.Name == name {
			return t, true
		}
	}
	return TableSpec{}, false
}

// For returns the part of s that profile p syncs: the tables p's databases
// hold.
func (s Spec) For(p Profile) Spec {
	out := Spec{}
	for _, t := range s.Tables {
		if p.Has(t.Name) {
			out.Tables = append(out.Tables, t)
		}
	}
	return out
}

// DeviceLocalSettings are the settings keys that describe one device (its
// window, paths, audio output, sync identity) and so never sync. Every other
// settings key does.
var DeviceLocalSettings = []string{
	"audio_output_device",
	"download_directory",
	"library_path",
	"rekordbox_xml_path",
	"sync_device_name",
	"sync_listen_port",
	"theme_follow_system",
	"window_bounds",
	"window_maximized",
	"window_state",
}

// AppSpec is the app's sync spec: every shared table except the caches, with
// all their non-key columns, and settings per key except the device-local
// ones. The desktop-only library tables and the caches never sync.
func AppSpec() Spec {
	return Spec{Tables: []TableSpec{
		// Parents before children, so a changeset applied in this order
		// satisfies foreign keys.
		{Name: "tag_categories"},
		{Name: "tags"},
		// Library playlists hold desktop-only tracks: only discovery
		// ones sync, with their entries.
		{Name: "playlists", Filter: &RowFilter{Column: "context", Values: []string{"discovery"}}},
		{Name: "discovery_releases"},
		{Name: "discovery_tracks"},
		{Name: "discovery_release_tags"},
		{Name: "playlist_discovery_releases", Filter: &RowFilter{Parent: "playlists", Via: "playlist_id"}},
		{Name: "settings", LocalKeys: slices.Clone(DeviceLocalSettings)},
	}}
}
