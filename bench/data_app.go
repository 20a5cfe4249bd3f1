package main

import (
	"fmt"
	"time"
)

// release is one row of the app's discovery_releases table.
type release struct {
	id, url, sourceType, artist, title, label, releaseDate string
	artworkURL, artworkPath, parentURL                     any // string or nil
	dateAdded, dateModified                                string
}

var (
	adjectives = []string{"Velvet", "Silent", "Neon", "Broken", "Golden", "Hollow", "Electric", "Distant", "Crimson", "Paper", "Lunar", "Wild", "Quiet", "Frozen", "Burning", "Hidden"}
	nouns      = []string{"Harbor", "Signal", "Garden", "Machine", "River", "Engine", "Mirror", "Forest", "Circuit", "Horizon", "Station", "Orchard", "Tide", "Lantern", "Meadow", "Echo"}
	sources    = []string{"bandcamp", "bandcamp", "bandcamp", "soundcloud", "youtube", "other"}
	noteWords  = []string{"warm-up set", "peak time", "closing track", "check the B-side", "buy on vinyl", "great breakdown", "too slow", "play at 128"}
)

// mix is SplitMix64: a cheap, deterministic spread of i into 64 random-looking bits.
func mix(i uint64) uint64 {
	z := i + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uuidLike returns a deterministic, UUID-v4-shaped text id for i (36 characters).
func uuidLike(i uint64) string {
	h, l := mix(i), mix(i^0xabcdef)
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, uint16(l>>48)&0x3fff|0x8000, l&0xffffffffffff)
}

// releases returns n discovery releases with realistic values: UUID-like
// ids, bandcamp-style urls, artist, title and label texts, dates, artwork
// urls and, for most, a cached artwork path. notes is left NULL.
func releases(n int) []release {
	base := time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC)
	out := make([]release, n)
	for k := range out {
		i := uint64(k + 1)
		h := mix(i * 7)
		adj, noun := adjectives[h%16], nouns[(h>>4)%16]
		adj2, noun2 := adjectives[(h>>8)%16], nouns[(h>>12)%16]
		artist := fmt.Sprintf("The %s %ss", adj, noun)
		title := fmt.Sprintf("%s %s Vol. %d", adj2, noun2, h>>16%40+1)
		label := fmt.Sprintf("%s %s Records", nouns[(h>>20)%16], adjectives[(h>>24)%16])
		slug := fmt.Sprintf("%s-%s", lowerSlug(adj2), lowerSlug(noun2))
		id := uuidLike(i)
		added := base.Add(time.Duration(k) * 37 * time.Second)
		r := release{
			id:           id,
			url:          fmt.Sprintf("https://%s%s.bandcamp.com/album/%s-vol-%d-%d", lowerSlug(adj), lowerSlug(noun), slug, h>>16%40+1, i),
			sourceType:   sources[(h>>28)%uint64(len(sources))],
			artist:       artist,
			title:        title,
			label:        label,
			releaseDate:  time.Date(2000+int(h>>32%25), time.Month(h>>40%12+1), int(h>>44%28+1), 0, 0, 0, 0, time.UTC).Format("2006-01-02"),
			artworkURL:   fmt.Sprintf("https://f4.bcbits.com/img/a%010d_10.jpg", h%10_000_000_000),
			dateAdded:    added.Format("2006-01-02T15:04:05.000Z"),
			dateModified: added.Add(time.Duration(h%86400) * time.Second).Format("2006-01-02T15:04:05.000Z"),
		}
		if h>>50%4 != 0 {
			r.artworkPath = "/home/user/.local/share/crate/artwork/" + id + ".jpg"
		}
		if h>>54%10 == 0 {
			r.parentURL = fmt.Sprintf("https://%s.bandcamp.com/music", lowerSlug(noun)+"label")
		}
		out[k] = r
	}
	return out
}

// releaseNotes returns the notes each release gets in run run: short free text.
func releaseNotes(n, run int) []string {
	out := make([]string, n)
	for k := range out {
		h := mix(uint64(k+1)*13 + uint64(run))
		out[k] = fmt.Sprintf("r%d: %s, %s", run, noteWords[h%8], noteWords[(h>>8)%8])
	}
	return out
}

// lowerSlug lower-cases an ASCII word for urls.
func lowerSlug(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
