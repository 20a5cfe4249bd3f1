package lww

import (
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/capture/changeset"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// applier carries out the decisions of one Apply inside its transaction.
type applier struct {
	e    *capture.Engine
	conn *sqlite3.Conn
	opts Options
	self string
	// sender is the origin of the changeset being applied ("" in Replay,
	// and while a merge logs what it found here): the changes taken from
	// it are logged with it (local_changes.sender), and never sent back
	// to it.
	sender string
	stmts  map[string]*sqlite3.Stmt
	// rowStmts holds the row-writing statements, bounded (execRow).
	rowStmts map[string]*sqlite3.Stmt
	tables   map[string]schema.TableInfo
	// present lists every table of this database, with its columns, in
	// lower case, to tell data this device does not sync from data it does
	// not know yet.
	present map[string]map[string]bool
	fks     map[string][]foreignKey // by child table
	maxHLC  capture.HLC
	// nowMillis is this device's clock, read once per batch, that stamps
	// may not be MaxDrift ahead of (validate).
	nowMillis int64
	// lastClock is the last stamp issued or seen before the apply began.
	lastClock capture.HLC
	// parkedAny is clear while parked_values is known to be empty, which
	// spares a lookup for every row placed.
	parkedAny bool
	// parkedHere is set once this Apply has parked a value.
	parkedHere bool
	texts      map[sqlKey]string        // generated statements (sqltext.go)
	byKey      map[sqlKey]*sqlite3.Stmt // the per-record ones, prepared
	fresh      map[string]*freshTable   // tables without registers (fresh.go)
	// parents remembers parent keys seen present (parents.go).
	parents       map[parentRef]map[any]bool
	nodes         map[string]string // node ids read, one string each (node)
	parentCount   int
	parentsUnsafe bool
	// aliasesAny and membersAny are clear while entity_aliases and
	// member_values are known to be empty (no identity merge here yet),
	// which spares the lookups of classes.go. merges lists the merges
	// this Apply made or learned.
	aliasesAny, membersAny bool
	// filterTouched is set once a record of a table with a row filter
	// was applied, or a row of such a table written (upsert, writeField):
	// the end of Apply reconciles the filters then, the one owner of
	// "a row outside its filter is no live entity" (a parked row placed
	// under a parent that is outside the filter here, say).
	filterTouched bool
	// triggersOn turns the connection's triggers back on, where Apply
	// turned them off.
	triggersOn func()
	merges     []Merge
	collisions []collision // merged at the end (mergeCollisions)
	// touched holds the entities parked, removed, merged or recombined,
	// which the end of the Apply checks (verify_touched.go).
	touched  map[touchKey]any
	arriving any // the entity of the record being routed (derive)
	// insertFirst allows upsert to try a plain insert first: only while
	// triggers are off, since a BEFORE INSERT trigger of the app's would
	// run for both statements when the row turns out to be there.
	insertFirst bool
}

func newApplier(e *capture.Engine, opts Options) (*applier, error) {
	a := &applier{e: e, conn: e.Conn(), opts: opts, self: e.NodeID(), stmts: map[string]*sqlite3.Stmt{}, rowStmts: map[string]*sqlite3.Stmt{},
		tables: map[string]schema.TableInfo{}, present: map[string]map[string]bool{}}
	for _, t := range e.Tables() {
		a.tables[t.Name] = t
	}
	err := a.query(`SELECT m.name, p.name FROM sqlite_schema m, pragma_table_xinfo(m.name) p WHERE m.type = 'table'`, nil,
		func(s *sqlite3.Stmt) error {
			t := strings.ToLower(s.ColumnText(0))
			if a.present[t] == nil {
				a.present[t] = map[string]bool{}
			}
			a.present[t][strings.ToLower(s.ColumnText(1))] = true
			return nil
		})
	if err != nil {
		return nil, err
	}
	if a.fks, err = foreignKeys(a); err != nil {
		return nil, err
	}
	if a.parentsUnsafe, err = parentsUnsafe(a); err != nil {
		return nil, err
	}
	err = a.query(`SELECT EXISTS (SELECT 1 FROM parked_values), EXISTS (SELECT 1 FROM entity_aliases), EXISTS (SELECT 1 FROM member_values)`, nil,
		func(s *sqlite3.Stmt) error {
			a.parkedAny, a.aliasesAny, a.membersAny = s.ColumnBool(0), s.ColumnBool(1), s.ColumnBool(2)
			return nil
		})
	return a, err
}

func (a *applier) close() {
	for _, s := range a.stmts {
		s.Close()
	}
	for _, s := range a.rowStmts {
		s.Close()
	}
}

// begin suppresses capture and defers foreign-key checks to the commit, so
// records may come in any order.
func (a *applier) begin() error {
	if err := a.conn.Exec(`PRAGMA defer_foreign_keys = ON`); err != nil {
		return err
	}
	return a.exec(`UPDATE sync_state SET applying = 1 WHERE id = 1`)
}

func (a *applier) stmt(sql string) (*sqlite3.Stmt, error) {
	if s, ok := a.stmts[sql]; ok {
		return s, s.Reset()
	}
	s, _, err := a.conn.Prepare(sql)
	if err != nil {
		return nil, err
	}
	a.stmts[sql] = s
	return s, nil
}

func (a *applier) query(sql string, args []any, scan func(*sqlite3.Stmt) error) error {
	s, err := a.stmt(sql)
	if err != nil {
		return err
	}
	if err := bind(s, args); err != nil {
		return err
	}
	return a.scan(s, scan)
}

// scan calls fn on each row of s, bound and ready to run.
func (a *applier) scan(s *sqlite3.Stmt, fn func(*sqlite3.Stmt) error) error {
	for s.Step() {
		if err := fn(s); err != nil {
			return err
		}
	}
	return s.Err()
}

// registers reads an entity's existence register and, if field is not "",
// the field's register.
func (a *applier) registers(table string, entity any, field string) (exist, reg Reg, err error) {
	if none, err := a.noRegisters(table, entity); none || err != nil {
		return exist, reg, err
	}
	s, err := a.registersStmt(table)
	if err != nil {
		return exist, reg, err
	}
	if err := a.bindEntity(s, table, entity); err != nil {
		return exist, reg, err
	}
	// The registers come in field order, the existence register ("")
	// first. The scan reads two at most: the existence register and the
	// next, which is the field's register or comes after where it would
	// be, or else (an entity with registers of other fields between) the
	// field's register is looked up by itself, so that an entity with many
	// registers costs no more than one with few.
	seek := false
scan:
	for s.Step() {
		name := s.ColumnRawText(0)
		switch {
		case len(name) == 0:
			exist = a.register(s, 1)
			if field == "" {
				break scan
			}
		case string(name) == field:
			reg = a.register(s, 1)
			break scan
		case string(name) > field:
			break scan
		default: // another field's register, before the field's
			seek = true
			break scan
		}
	}
	if err := firstErr(s.Err(), s.Reset()); err != nil || !seek {
		return exist, reg, err
	}
	if s, err = a.fieldRegisterStmt(table); err != nil {
		return exist, reg, err
	}
	if err := firstErr(a.bindEntity(s, table, entity), s.BindText(3, field)); err != nil {
		return exist, reg, err
	}
	if s.Step() {
		reg = a.register(s, 0)
	}
	return exist, reg, firstErr(s.Err(), s.Reset())
}

// register reads a register from the current row of s: its hlc, origin
// and tombstone flag from column i on.
func (a *applier) register(s *sqlite3.Stmt, i int) Reg {
	node := a.self
	if s.ColumnType(i+1) != sqlite3.NULL {
		node = a.node(s.ColumnRawText(i + 1))
	}
	return Reg{Set: true, Stamp: capture.Stamp{HLC: capture.HLC(s.ColumnInt64(i)), Node: node}, Dead: s.ColumnBool(i + 2)}
}

// node returns the node id in b as a string, the same string each time
// for the first maxNodes ids seen: a register's origin is one of a few
// devices, and is read for nearly every record.
func (a *applier) node(b []byte) string {
	if n, ok := a.nodes[string(b)]; ok {
		return n
	}
	n := string(b)
	if len(a.nodes) < maxNodes {
		if a.nodes == nil {
			a.nodes = map[string]string{}
		}
		a.nodes[n] = n
	}
	return n
}

// maxNodes bounds applier.nodes: a changeset names at most a few origins,
// but a hostile one may name many.
const maxNodes = 64

// allRegisters reads every register of an entity, by field ("" for
// existence).
func (a *applier) allRegisters(table string, entity any) (map[string]Reg, error) {
	out := map[string]Reg{}
	if none, err := a.noRegisters(table, entity); none || err != nil {
		return out, err
	}
	err := a.query(`SELECT field_name, hlc, coalesce(origin, ?), tombstone FROM field_timestamps
		WHERE entity_type = ? AND entity_id = ?`, []any{a.self, table, entity},
		func(s *sqlite3.Stmt) error {
			out[s.ColumnText(0)] = Reg{Set: true, Stamp: capture.Stamp{HLC: capture.HLC(s.ColumnInt64(1)), Node: s.ColumnText(2)}, Dead: s.ColumnBool(3)}
			return nil
		})
	return out, err
}

// take stamps a register with the write it took and logs the change, so it
// is relayed onward. The log names the origin even when it is this device
// (a change of its own that a peer sent back, which it had lost): the log
// tells a received change from one captured here by it.
func (a *applier) take(rec changeset.Record, op capture.Op, value any, tombstone bool) error {
	a.wroteRegister(rec.Table, rec.Entity)
	// A keyed table's register goes under its entity's key, made before
	// the change is logged (stampStmt reads last_insert_rowid()).
	var key any = rec.Entity
	if a.keyed(rec.Table) {
		k, err := a.entityKey(rec.Table, rec.Entity)
		if err != nil {
			return err
		}
		key = k
	}
	s, names, err := a.logStmt(rec.Table, rec.Field)
	if err != nil {
		return err
	}
	err = firstErr(capture.BindValue(s, 1, rec.Entity), s.BindInt64(2, int64(op)), capture.BindValue(s, 3, value),
		s.BindInt64(4, rec.HLC), s.BindText(5, rec.Origin), a.bindSender(s, 6), names.bind(s, 7))
	if err != nil {
		return err
	}
	if err := s.Exec(); err != nil {
		return err
	}
	if s, names, err = a.stampStmt(rec.Table, rec.Field); err != nil {
		return err
	}
	err = firstErr(capture.BindValue(s, 1, key), s.BindInt64(2, rec.HLC), a.bindOrigin(s, 3, rec.Origin),
		s.BindBool(4, tombstone), names.bind(s, 5))
	if err != nil {
		return err
	}
	return s.Exec()
}

// bindSender binds local_changes.sender as argument i of s: the device
// whose changeset the record came in, whatever its origin (the device
// that made the change, one that relayed it, or "adopted"); NULL when
// there is none.
func (a *applier) bindSender(s *sqlite3.Stmt, i int) error {
	if a.sender == "" {
		return s.BindNull(i)
	}
	return s.BindText(i, a.sender)
}

// bindOrigin binds a record's origin as argument i of s: NULL when it is
// this device, as the registers store it.
func (a *applier) bindOrigin(s *sqlite3.Stmt, i int, origin string) error {
	if origin == a.self {
		return s.BindNull(i)
	}
	return s.BindText(i, origin)
}

// apply merges one record. An error met after the record passed
// validation is a failure (ErrApplyFailed) unless it is bad input.
func (a *applier) apply(rec changeset.Record, where func() string) (Decision, error) {
	d := Decision{Kind: rec.Kind, Table: rec.Table, Entity: rec.Entity, Field: rec.Field,
		Stamp: capture.Stamp{HLC: capture.HLC(rec.HLC), Node: rec.Origin}}
	t, known, err := a.validate(rec)
	if err != nil {
		return d, fmt.Errorf("%s: %w", where(), err)
	}
	a.maxHLC = max(a.maxHLC, capture.HLC(rec.HLC))
	if known && t.Filter != nil {
		a.filterTouched = true
	}
	var c *class
	if known && a.aliasesAny && rec.Field != schema.AliasField {
		a.arriving = rec.Entity
		c, err = a.classOf(t, rec.Entity)
		a.arriving = nil
		if err != nil {
			return d, failed(where(), err)
		}
	}
	switch {
	case rec.Field == schema.AliasField && !known:
		// A newer schema's table: its rows are parked, and merge when
		// they are placed, where their natural key shows them one.
		d.Outcome, d.Why = "lost", "alias in a table not in this schema yet"
	case rec.Field == schema.AliasField:
		err = a.applyAlias(rec, t, &d)
	case c != nil:
		err = a.applyMember(rec, c, &d)
	case rec.Kind == changeset.Field:
		err = a.applyField(rec, t, known, &d)
	default:
		err = a.applyRow(rec, t, known, &d)
	}
	if err != nil {
		return d, failed(where(), err)
	}
	return d, nil
}

func (a *applier) applyField(rec changeset.Record, t schema.TableInfo, known bool, d *Decision) error {
	exist, reg, err := a.registers(rec.Table, rec.Entity, rec.Field)
	if err != nil {
		return err
	}
	placed := known && t.HasColumn(rec.Field)
	take, act := DecideField(exist, reg, d.Stamp, rec.HasValue, placed)
	if !take {
		d.Outcome, d.Why = "lost", a.why("the field holds a newer or the same write", reg.Stamp)
		return nil
	}
	if err := a.take(rec, capture.OpUpdate, rec.Value, false); err != nil {
		return err
	}
	d.Outcome = "won"
	value := rec.Value
	if act == Write && a.aliasesAny {
		values := map[string]any{rec.Field: value}
		if err := a.resolveValues(t, values); err != nil {
			return err
		}
		value = values[rec.Field]
	}
	if act == Write {
		missing, err := a.refersToMissing(t, rec.Field, value)
		if err != nil {
			return err
		}
		if missing {
			// The row now belongs under a parent not here: it waits,
			// parked whole, for the parent.
			values, err := a.currentValues(t, rec.Table, rec.Entity)
			if err != nil {
				return err
			}
			values[rec.Field] = value
			if _, err := a.placeRow(t, rec.Entity, values, false); err != nil {
				return err
			}
			d.Outcome, d.Why = "parked", "row waiting for its parent"
			return nil
		}
		ok, err := a.writeField(t, rec.Entity, rec.Field, value)
		if err != nil {
			return err
		}
		if !ok {
			merged, err := a.mergeOnWrite(t, rec.Entity, rec.Field, value)
			if err != nil || merged {
				return err
			}
			act = Park // the row is alive but not in its table (parked)
		}
	}
	switch act {
	case Park:
		d.Outcome, d.Why = "parked", parkReason(exist, known, placed)
		return a.park(rec.Table, rec.Entity, rec.Field, rec.Value, d.Stamp)
	case Drop:
		if rec.HasValue {
			d.Why = a.why("register taken; the row's newer insert or delete keeps its value", exist.Stamp)
		}
	}
	return nil
}

// why is a Decision's Why: what the record met, and its stamp. It is
// formatted only for Options.Explain, the one way a caller sees it.
func (a *applier) why(what string, st capture.Stamp) string {
	if !a.opts.Explain {
		return ""
	}
	return what + " (" + st.String() + ")"
}

func parkReason(exist Reg, known, placed bool) string {
	switch {
	case !known:
		return "table not in this schema yet"
	case !placed:
		return "column not in this schema yet"
	case !exist.Set:
		return "row not here yet"
	case exist.Dead:
		return "row deleted; value newer than the delete is kept for a re-insert"
	}
	return "row waiting for its parent"
}

func (a *applier) applyRow(rec changeset.Record, t schema.TableInfo, known bool, d *Decision) error {
	regs, err := a.allRegisters(rec.Table, rec.Entity)
	if err != nil {
		return err
	}
	exist := regs[""]
	take, act := DecideRow(exist, d.Stamp, rec.Alive)
	if !take {
		d.Outcome, d.Why = "lost", a.why("the row holds a newer or the same insert/delete", exist.Stamp)
		return nil
	}
	op := capture.OpInsert
	if !rec.Alive {
		op = capture.OpDelete
	}
	if err := a.take(rec, op, nil, !rec.Alive); err != nil {
		return err
	}
	d.Outcome = "won"
	if act == Drop {
		if known {
			return a.deleteRow(t, rec.Entity)
		}
		_, err := a.parked(rec.Table, rec.Entity) // drops what the delete made stale
		return err
	}
	values, err := a.rowValues(rec, t, regs, d.Stamp)
	if err != nil {
		return err
	}
	if !known {
		d.Outcome, d.Why = "parked", "table not in this schema yet"
		return a.parkRow(rec.Table, rec.Entity, values)
	}
	placed, err := a.placeRow(t, rec.Entity, values, !exist.Set || exist.Dead)
	if err != nil {
		return err
	}
	if !placed {
		d.Outcome, d.Why = "parked", "row waiting for its parent, or its table is not in this schema yet"
	}
	return nil
}

// rowValues merges an insert's values with the fields written after it: a
// column keeps its current (or parked) value when its own register is newer
// than the insert.
// regs are the entity's registers, read before the insert was taken.
func (a *applier) rowValues(rec changeset.Record, t schema.TableInfo, regs map[string]Reg, in capture.Stamp) (map[string]any, error) {
	values := map[string]any{}
	for _, c := range rec.Row {
		values[c.Name] = c.Value
	}
	newer := map[string]bool{}
	for field, r := range regs {
		if field != "" && !DecideColumn(r, in) {
			newer[field] = true
		}
	}
	if len(newer) == 0 {
		return values, nil
	}
	current, err := a.currentValues(t, rec.Table, rec.Entity)
	if err != nil {
		return nil, err
	}
	for name := range newer {
		if v, ok := current[name]; ok {
			values[name] = v
		}
	}
	return values, nil
}

// quoteAll quotes identifiers.
func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = triggers.Quote(n)
	}
	return out
}
