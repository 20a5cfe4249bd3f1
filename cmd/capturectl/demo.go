package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/lan"
	"github.com/capture-sync/capture/schema"
)

func init() {
	register("demo", "run a desktop and a phone through edits made apart, sync and convergence", runDemo)
}

// side is one of the demo's two devices.
type side struct {
	name, file string
	profile    schema.Profile
	eng        *capture.Engine
}

// demo is one run of the demo.
type demo struct {
	e       *env
	w       io.Writer // standard output
	dir     string
	desktop *side
	phone   *side
	step    int
	// addr is where the desktop's sync service listens (loopback);
	// rounds receives what it did in each round.
	addr   string
	rounds chan lan.RoundInfo
	stop   func() error
}

func runDemo(ctx context.Context, e *env, args []string) (err error) {
	f := newFlagsNoDB(e, "demo", "[--dir DIR]", "capturectl demo --dir ./demo")
	dir := f.String("dir", "", "`directory` for the two databases (default: a new temporary directory, kept afterwards)")
	if _, err := f.parse(args); err != nil {
		return err
	}
	d := &demo{e: e, w: e.stdout,
		desktop: &side{name: "desktop", file: "desktop.db", profile: schema.Desktop},
		phone:   &side{name: "phone", file: "phone.db", profile: schema.Mobile}}
	if d.dir, err = demoDir(*dir, d.desktop.file, d.phone.file); err != nil {
		return err
	}
	defer func() {
		if d.stop != nil {
			if serr := d.stop(); err == nil {
				err = serr
			}
		}
		for _, s := range d.sides() {
			if s.eng != nil {
				closeEngine(s.eng, &err)
			}
		}
	}()
	return d.run(ctx)
}

// demoDir returns the directory to work in: dir, created if missing, which
// must not hold the demo's databases yet, or a new temporary directory.
func demoDir(dir string, files ...string) (string, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "capture-demo-")
		if err != nil {
			return "", fmt.Errorf("create a directory for the demo: %w", err)
		}
		return d, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("demo directory: %w", err)
	}
	for _, name := range files {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			p := filepath.Join(dir, name+suffix)
			if _, err := os.Stat(p); err == nil {
				return "", withHint(fmt.Errorf("%s exists already", p),
					"the demo starts from new databases: give an empty --dir, or remove "+shellQuote(filepath.Join(dir, name))+"*")
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("demo directory: %w", err)
			}
		}
	}
	return dir, nil
}

func (d *demo) sides() [2]*side { return [2]*side{d.desktop, d.phone} }

// heading starts the next step.
func (d *demo) heading(format string, args ...any) {
	d.step++
	fmt.Fprintf(d.w, "\n%d. %s\n", d.step, fmt.Sprintf(format, args...))
}

// say writes an indented line under the current step.
func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.w, "   %s\n", fmt.Sprintf(format, args...))
}

// table returns an aligned table indented under the current step.
func (d *demo) table() *table { return newTable(&indenter{w: d.w, prefix: "   "}) }

// run tells the story, step by step.
func (d *demo) run(ctx context.Context) error {
	fmt.Fprintln(d.w, "capture demo: a desktop and a phone edit the same releases while apart, then merge")
	fmt.Fprintln(d.w, "field by field; the last writer wins, by hybrid-logical-clock stamp.")
	fmt.Fprintf(d.w, "\nworking in %s (kept afterwards; inspect it with capturectl --db)\n", d.dir)

	if err := d.create(ctx); err != nil {
		return err
	}
	if err := d.seed(ctx); err != nil {
		return err
	}
	if err := d.pair(ctx); err != nil {
		return err
	}
	d.heading("First sync: the new phone's first round brings everything the desktop holds")
	tw := d.table()
	transferHeader(tw)
	if err := d.round(ctx, tw, "1"); err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	writes, err := d.editApart(ctx)
	if err != nil {
		return err
	}
	if err := d.syncBothWays(ctx); err != nil {
		return err
	}
	d.heading("What each device holds now")
	if err := d.showReleases(false); err != nil {
		return err
	}
	d.heading("Why each edit made apart ended as it did (stamps from Engine.Fields; the later stamp wins)")
	disagree, err := printResolutions(ctx, &indenter{w: d.w, prefix: "   "}, d.sides(), writes)
	if err != nil {
		return err
	}
	converged, err := d.converged()
	if err != nil {
		return err
	}
	if !converged || disagree > 0 {
		return withHint(errors.New("the devices did not converge"),
			"this is a bug in the merge; the databases are kept in "+d.dir+" for a look")
	}
	return nil
}

// create opens both databases.
func (d *demo) create(ctx context.Context) error {
	d.heading("Two devices, two new databases")
	for _, s := range d.sides() {
		eng, err := capture.Open(ctx, filepath.Join(d.dir, s.file), capture.Options{Profile: s.profile, Logger: d.e.log})
		if err != nil {
			return fmt.Errorf("create the %s's database: %w", s.name, err)
		}
		s.eng = eng
	}
	tw := d.table()
	row(tw, "DEVICE", "DATABASE", "PROFILE", "NODE ID", "SYNCED TABLES")
	for _, s := range d.sides() {
		row(tw, s.name, s.file, string(s.eng.Profile()), s.eng.NodeID(), strconv.Itoa(len(s.eng.Tables())))
	}
	return tw.Flush()
}

// seed adds the desktop's releases.
func (d *demo) seed(ctx context.Context) error {
	d.heading("The desktop saves three discovery releases, with tracks and tags")
	if err := d.desktop.eng.Conn().Exec(demoSeed); err != nil {
		return fmt.Errorf("add the desktop's releases: %w", err)
	}
	rs, err := readReleases(d.desktop.eng.Conn())
	if err != nil {
		return err
	}
	tw := d.table()
	row(tw, "RELEASE", "ARTIST", "TITLE", "LABEL", "TRACKS", "TAGS")
	for _, id := range []string{"r1", "r2", "r3"} {
		r := rs[id]
		row(tw, id, r["artist"], r["title"], r["label"], strconv.Itoa(len(strings.Split(r["tracks"], ", "))), r["tags"])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	n, err := d.desktop.eng.LastSeq(ctx)
	if err != nil {
		return err
	}
	d.say("the triggers captured %d changes", n)
	return nil
}

// pair starts the desktop's sync service on loopback and pairs the phone
// with it by the code it shows, as the app does on the local network.
func (d *demo) pair(ctx context.Context) error {
	d.heading("Pairing: the desktop serves on the local network and shows a code; the phone joins with it")
	d.rounds = make(chan lan.RoundInfo, 1)
	srv, err := lan.NewServer(ctx, d.desktop.eng, lan.ServerOptions{Name: "Studio desktop", Platform: "linux", Log: d.e.log,
		OnRound: func(r lan.RoundInfo) { d.rounds <- r }})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen on loopback: %w", err)
	}
	d.addr = ln.Addr().String()
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	d.stop = func() error { cancel(); return errors.Join(<-served, srv.Close()) }
	code, err := srv.NewCode()
	if err != nil {
		return err
	}
	d.say("the desktop serves on %s (TLS, its own certificate); pairing code %s", d.addr, code)
	dev, err := lan.Pair(ctx, d.phone.eng, d.addr, code, lan.ClientOptions{Name: "Anna's phone", Platform: "android"})
	if err != nil {
		return fmt.Errorf("pair the phone: %w", err)
	}
	d.say("the phone proved the code (a PAKE: nothing on the network lets anyone test codes)")
	d.say("phone   paired %s (%s), pinned its certificate", dev.ID, dev.Name)
	d.say("desktop paired %s (Anna's phone), pinned its certificate", d.phone.eng.NodeID())
	return nil
}

// transferHeader writes the header of a table of transfers.
func transferHeader(tw io.Writer) {
	row(tw, "ROUND", "FROM", "TO", "ON THE WIRE", "RECORDS", "WON", "LOST", "PARKED")
}

// round runs one sync round of the phone with the desktop's service,
// writing a line of the transfers table for each way.
func (d *demo) round(ctx context.Context, tw io.Writer, label string) error {
	r, err := lan.Sync(ctx, d.phone.eng, d.addr, lan.SyncOptions{})
	if err != nil {
		return fmt.Errorf("sync round %s: %w", label, err)
	}
	var srv lan.RoundInfo
	select {
	case srv = <-d.rounds: // the desktop is done with the round
	case <-ctx.Done():
		return ctx.Err()
	}
	up, down := srv.Applied, r.Received
	row(tw, label, "phone", "desktop", fmt.Sprintf("%6d bytes, zstd", srv.BytesIn), strconv.Itoa(up.Records),
		strconv.Itoa(up.Won), strconv.Itoa(up.Lost), strconv.Itoa(up.Parked))
	row(tw, label, "desktop", "phone", fmt.Sprintf("%6d bytes, zstd", srv.BytesOut), strconv.Itoa(down.Records),
		strconv.Itoa(down.Won), strconv.Itoa(down.Lost), strconv.Itoa(down.Parked))
	if int64(up.Records) != r.Sent.Rows+r.Sent.Fields || int64(down.Records) != srv.Sent.Rows+srv.Sent.Fields {
		return fmt.Errorf("round %s: records sent and read differ", label)
	}
	return nil
}

// editApart makes the demo's edits on each device and shows them, then
// where the devices now differ. It returns each write with its stamp.
func (d *demo) editApart(ctx context.Context) ([]madeWrite, error) {
	d.heading("Apart, both edit: different fields of r1, the same field (title), deletions")
	var writes []madeWrite
	tw := d.table()
	row(tw, "DEVICE", "EDIT", "STAMP")
	for i, ed := range demoEdits {
		s := d.desktop
		if ed.phone {
			s = d.phone
		}
		if i > 0 && !ed.phone && demoEdits[i-1].phone {
			// The desktop edits a moment later: its title is the later
			// write whatever the clocks' resolution.
			time.Sleep(5 * time.Millisecond)
		}
		if err := s.eng.Conn().Exec(ed.sql); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", s.name, ed.sql, err)
		}
		st, err := fieldState(ctx, s, regKey{ed.table, ed.entity, ed.field})
		if err != nil {
			return nil, err
		}
		writes = append(writes, madeWrite{side: s, edit: ed, value: st.Value, stamp: st.Stamp, deleted: st.Deleted})
		row(tw, s.name, ed.what, hlcText(st.Stamp.HLC))
	}
	if err := tw.Flush(); err != nil {
		return nil, err
	}
	fmt.Fprintln(d.w)
	d.say("where they differ now:")
	return writes, d.showReleases(true)
}

// showReleases prints both devices' releases side by side.
func (d *demo) showReleases(onlyDiffering bool) error {
	a, err := readReleases(d.desktop.eng.Conn())
	if err != nil {
		return err
	}
	b, err := readReleases(d.phone.eng.Conn())
	if err != nil {
		return err
	}
	_, err = printReleases(&indenter{w: d.w, prefix: "   "}, a, b, onlyDiffering)
	return err
}

// syncBothWays runs two rounds of delta exchanges, the phone first, then
// shows the cursors: the second round carries the acknowledgements.
func (d *demo) syncBothWays(ctx context.Context) error {
	d.heading("Sync: two rounds, each both ways; the second carries the acknowledgements")
	tw := d.table()
	transferHeader(tw)
	for _, round := range []string{"2", "3"} {
		if err := d.round(ctx, tw, round); err != nil {
			return err
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(d.w)
	tw = d.table()
	row(tw, "DEVICE", "ITS CHANGES", "ACKED BY THE OTHER", "PENDING FOR THE OTHER")
	for i, s := range d.sides() {
		other := d.sides()[1-i]
		dev, err := s.eng.Device(ctx, other.eng.NodeID())
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		last, err := s.eng.LastSeq(ctx)
		if err != nil {
			return err
		}
		n, err := countPending(ctx, s.eng, dev.ID)
		if err != nil {
			return err
		}
		row(tw, s.name, "up to seq "+strconv.FormatInt(last, 10), "up to seq "+strconv.FormatInt(dev.AckedSeq, 10), strconv.Itoa(n))
	}
	return tw.Flush()
}

// converged compares the two devices' synced tables and registers and
// says whether they hold the same.
func (d *demo) converged() (bool, error) {
	d.heading("Convergence: synced tables and registers (origin spelled out), compared")
	var states [2]syncState
	for i, s := range d.sides() {
		st, err := readState(s.eng)
		if err != nil {
			return false, fmt.Errorf("%s: %w", s.name, err)
		}
		states[i] = st
	}
	diffs := compareStates(states[0], states[1])
	tw := d.table()
	row(tw, "TABLE", "DESKTOP", "PHONE", "SAME")
	same, rows, tables, regs := true, 0, 0, 0
	for _, df := range diffs {
		verdict := "yes"
		if !df.same {
			verdict, same = "NO: "+truncate(df.sample, 60), false
		}
		if df.name == registersName {
			regs = df.a
		} else {
			rows, tables = rows+df.a, tables+1
		}
		row(tw, df.name, strconv.Itoa(df.a), strconv.Itoa(df.b), verdict)
	}
	if err := tw.Flush(); err != nil {
		return false, err
	}
	fmt.Fprintln(d.w)
	if same {
		fmt.Fprintf(d.w, "converged: yes, both devices hold the same %d rows in %d synced tables and the same %d registers\n",
			rows, tables, regs)
		fmt.Fprintf(d.w, "look closer: capturectl fields --db %s discovery_releases r1\n",
			shellQuote(filepath.Join(d.dir, d.phone.file)))
	} else {
		fmt.Fprintln(d.w, "converged: NO, the devices differ (see above)")
	}
	return same, nil
}

// indenter prefixes every line written through it but blank ones.
type indenter struct {
	w      io.Writer
	prefix string
	mid    bool // within a line
}

func (in *indenter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if !in.mid && p[0] != '\n' { // blank lines stay blank
			if _, err := io.WriteString(in.w, in.prefix); err != nil {
				return n, err
			}
			in.mid = true
		}
		line := p
		if i := bytes.IndexByte(p, '\n'); i >= 0 {
			line, in.mid = p[:i+1], false
		}
		m, err := in.w.Write(line)
		n += m
		if err != nil {
			return n, err
		}
		p = p[len(line):]
	}
	return n, nil
}
