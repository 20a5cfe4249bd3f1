package lan

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/capture-sync/capture/schema"
)

// TestParseTXT: TXT records as they come off the network, escaped as
// github.com/miekg/dns presents them.
func TestParseTXT(t *testing.T) {
	const id = "0123456789abcdef"
	good := txtInfo{NodeID: id, Name: "desk", Profile: schema.Desktop, Protocol: Protocol}
	proto := fmt.Sprint(Protocol)
	for _, tc := range []struct {
		name   string
		fields []string
		want   *txtInfo // nil: refused
	}{
		{"ours", encodeTXT(good), &good},
		{"keys in any case, the first of a key counts, unknown ones ignored",
			[]string{"NODE=" + id, "node=ffffffffffffffff", "Name=desk", "Profile=desktop", "PROTOCOL=" + proto, "extra=1", "flag", "=x"}, &good},
		{"no name", []string{"node=" + id, "profile=mobile", "protocol=" + proto},
			&txtInfo{NodeID: id, Profile: schema.Mobile, Protocol: Protocol}},
		{"escapes", []string{"node=" + id, `name=Caf\195\169 \\ \"B\"`, "profile=desktop", "protocol=" + proto},
			&txtInfo{NodeID: id, Name: `Café \ "B"`, Profile: schema.Desktop, Protocol: Protocol}},
		{"nothing", nil, nil},
		{"no node id", []string{"name=desk", "profile=desktop", "protocol=" + proto}, nil},
		{"an empty node id", []string{"node=", "profile=desktop", "protocol=" + proto}, nil},
		{"a node id with a space", []string{"node=a b", "profile=desktop", "protocol=" + proto}, nil},
		{"a long node id", []string{"node=" + strings.Repeat("a", 49), "profile=desktop", "protocol=" + proto}, nil},
		{"no profile", []string{"node=" + id, "protocol=" + proto}, nil},
		{"an unknown profile", []string{"node=" + id, "profile=server", "protocol=" + proto}, nil},
		{"no protocol", []string{"node=" + id, "profile=desktop"}, nil},
		{"another protocol", []string{"node=" + id, "profile=desktop", fmt.Sprintf("protocol=%d", Protocol+1)}, nil},
		{"a protocol that is not a number", []string{"node=" + id, "profile=desktop", "protocol=one"}, nil},
		{"a signed protocol", []string{"node=" + id, "profile=desktop", "protocol=+1"}, nil},
		{"a huge protocol", []string{"node=" + id, "profile=desktop", "protocol=99999999999999999999"}, nil},
		{"a name with a control character", []string{"node=" + id, `name=a\010b`, "profile=desktop", "protocol=" + proto}, nil},
		{"a name not UTF-8", []string{"node=" + id, `name=\255`, "profile=desktop", "protocol=" + proto}, nil},
		{"a long name", []string{"node=" + id, "name=" + strings.Repeat("n", MaxNameLen+1), "profile=desktop", "protocol=" + proto}, nil},
		{"a trailing backslash", []string{"node=" + id, `name=a\`, "profile=desktop", "protocol=" + proto}, nil},
		{"a short escape", []string{"node=" + id, `name=a\12`, "profile=desktop", "protocol=" + proto}, nil},
		{"an escape over 255", []string{"node=" + id, `name=\256`, "profile=desktop", "protocol=" + proto}, nil},
		{"a string over 255 bytes", []string{"node=" + id, "x=" + strings.Repeat("x", 254), "profile=desktop", "protocol=" + proto}, nil},
		{"too many strings", append(encodeTXT(good), make([]string, maxTXTStrings)...), nil},
	} {
		got, err := parseTXT(tc.fields)
		switch {
		case tc.want == nil && err == nil:
			t.Errorf("%s: accepted %+v", tc.name, got)
		case tc.want == nil && !errors.Is(err, errTXT):
			t.Errorf("%s: %v, want errTXT", tc.name, err)
		case tc.want != nil && (err != nil || got != *tc.want):
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, *tc.want)
		}
	}
}

// FuzzParseTXT: no TXT record makes parseTXT panic; what it accepts is
// well-formed, and reads the same once advertised again.
func FuzzParseTXT(f *testing.F) {
	f.Add("node=0123456789abcdef\x00name=desk\x00profile=desktop\x00protocol=1")
	f.Add(`node=0123456789abcdef` + "\x00" + `name=Caf\195\169 \\` + "\x00profile=mobile\x00PROTOCOL=1\x00flag\x00=x")
	f.Add("node=\x00name=\\\x00profile=\x00protocol=0001")
	f.Add(`name=\999\x00node=a`)
	f.Fuzz(func(t *testing.T, s string) {
		info, err := parseTXT(strings.Split(s, "\x00"))
		if err != nil {
			if !errors.Is(err, errTXT) {
				t.Fatalf("error not wrapping errTXT: %v", err)
			}
			return
		}
		if !validNodeID(info.NodeID) || !validName(info.Name) || info.Protocol != Protocol {
			t.Fatalf("accepted %+v", info)
		}
		again, err := parseTXT(encodeTXT(info))
		if err != nil || again != info {
			t.Fatalf("advertised again: %+v, %v; want %+v", again, err, info)
		}
	})
}
