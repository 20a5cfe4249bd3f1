package lww

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ncruces/go-sqlite3"

	"github.com/capture-sync/capture/capture"
	"github.com/capture-sync/capture/schema"
	"github.com/capture-sync/capture/triggers"
)

// placeable reports, as a violation, an entity out of its table whose
// values could be placed there (RuleEntityPresent), or that waits on a
// natural key another row holds (RuleNaturalKey). values are its row as
// the sync state has it, key included; c is its class, nil for an entity
// of its own. Whether the row would go in is tried in a savepoint, rolled
// back.
func (v *verifier) placeable(t schema.TableInfo, id any, values map[string]any, c *class) error {
	what := "parked"
	if c != nil {
		what = "its class's row"
	}
	for _, col := range t.Columns {
		if col.Required() && values[col.Name] == nil {
			return nil // incomplete: another record brings the value
		}
	}
	ok, err := v.a.parentsPresent(t, values)
	if err != nil || !ok {
		return err // waits for its parent
	}
	err = v.try(func() error {
		names := make([]string, 0, len(values))
		args := make([]any, 0, len(values))
		for _, n := range columns(t) {
			if val, ok := values[n]; ok {
				names = append(names, n)
				args = append(args, val)
			}
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
		return v.a.exec(`INSERT INTO `+triggers.Quote(t.Name)+` (`+strings.Join(quoteAll(names), ", ")+`) VALUES (`+marks+`)`, args...)
	})
	if err == nil {
		v.add(Violation{Rule: RuleEntityPresent, Table: t.Name, Entity: id, Want: "its row in the table: nothing keeps it out",
			Got: "no row, the values " + what})
		return nil
	}
	refused, err := refusal(err)
	if err != nil || refused != sqlite3.CONSTRAINT_UNIQUE && refused != sqlite3.CONSTRAINT_PRIMARYKEY {
		return err // a parent or a CHECK refuses it: it waits
	}
	holder, found, err := v.a.naturalHolder(t, id, values)
	if err != nil || !found {
		return err // a unique value that is no natural key: it waits
	}
	if c != nil && v.memberOf(c, holder) {
		return nil
	}
	v.add(Violation{Rule: RuleNaturalKey, Table: t.Name, Entity: id, Want: fmt.Sprintf("one entity with %v, which holds its natural key", holder),
		Got: "two: it waits out of its table"})
	return nil
}

func (v *verifier) memberOf(c *class, id any) bool {
	for _, m := range c.members {
		if capture.CompareEntityIDs(m, id) == 0 {
			return true
		}
	}
	return false
}

// try runs fn in a savepoint that it always rolls back, and returns fn's
// error.
func (v *verifier) try(fn func() error) error {
	if err := v.a.conn.Exec(`SAVEPOINT verify_try`); err != nil {
		return err
	}
	err := fn()
	if rerr := v.a.conn.Exec(`ROLLBACK TO verify_try; RELEASE verify_try`); rerr != nil {
		return fmt.Errorf("roll back a tried write: %w", rerr)
	}
	return err
}

// refusal returns the constraint that refused a tried write, or the error
// when it is not a constraint's.
func refusal(err error) (sqlite3.ExtendedErrorCode, error) {
	var e *sqlite3.Error
	if errors.As(err, &e) && e.Code() == sqlite3.CONSTRAINT {
		return e.ExtendedCode(), nil
	}
	return 0, err
}

// parkedValues checks the parked values of the entities of t whose rows
// are in the table: RuleParkedPlaced.
func (v *verifier) parkedValues(t schema.TableInfo) error {
	if !v.a.parkedAny {
		return nil
	}
	var ids []any
	err := v.a.query(`SELECT DISTINCT entity_id FROM parked_values WHERE entity_type = ?`, []any{t.Name}, func(s *sqlite3.Stmt) error {
		ids = append(ids, capture.ColumnValue(s, 0))
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		row, err := v.a.tableRow(t, id)
		if err != nil {
			if errors.Is(err, capture.ErrBadEntityID) {
				continue // not an id of this table: never placed
			}
			return err
		}
		if len(row) == 0 {
			continue // entities
		}
		rep, _, err := v.alias(t, id)
		if err != nil {
			return err
		}
		if capture.CompareEntityIDs(rep, id) != 0 {
			continue // a row under a merged-away id: rows
		}
		if surv, err := v.isSurvivor(t, id); err != nil || surv {
			if err != nil {
				return err
			}
			continue // classes
		}
		if err := v.parkedOver(t, id, row); err != nil {
			return err
		}
	}
	return nil
}

// parkedOver checks the parked values of entity id of t, whose row is in
// its table: RuleParkedPlaced.
func (v *verifier) parkedOver(t schema.TableInfo, id any, row map[string]any) error {
	parked, err := v.counting(t.Name, id)
	if err != nil {
		return err
	}
	for field, val := range parked {
		if !t.HasColumn(field) || equalValues(row[field], val) {
			continue
		}
		values := map[string]any{field: val}
		if ok, err := v.a.parentsPresent(t, values); err != nil {
			return err
		} else if !ok {
			continue // the row waits for that parent
		}
		key, _ := capture.EntityKey(t, id)
		err := v.try(func() error {
			return v.a.exec(`UPDATE `+triggers.Quote(t.Name)+` SET `+triggers.Quote(field)+` = ? WHERE `+keyWhere(t), append([]any{val}, key...)...)
		})
		if err == nil {
			v.add(Violation{Rule: RuleParkedPlaced, Table: t.Name, Entity: id, Field: field,
				Want: "the parked value " + show(val) + " in the row", Got: show(row[field])})
			continue
		}
		if _, err := refusal(err); err != nil {
			return err
		}
	}
	return nil
}

// parents checks that every row's parents are here: RuleParentPresent.
func (v *verifier) parents(t schema.TableInfo) error {
	var rowids []int64
	err := v.a.query(`SELECT rowid FROM pragma_foreign_key_check(?)`, []any{t.Name}, func(s *sqlite3.Stmt) error {
		rowids = append(rowids, s.ColumnInt64(0))
		return nil
	})
	if err != nil {
		return err
	}
	for _, rowid := range rowids {
		var id any = fmt.Sprintf("rowid %d", rowid)
		err := v.a.query(`SELECT `+triggers.EntityID(t, "r")+` FROM `+triggers.Quote(t.Name)+` AS r WHERE rowid = ?`, []any{rowid},
			func(s *sqlite3.Stmt) error { id = capture.ColumnValue(s, 0); return nil })
		if err != nil && !t.WithoutRowID {
			return err
		}
		v.add(Violation{Rule: RuleParentPresent, Table: t.Name, Entity: id, Want: "its parent rows in their tables", Got: "a parent missing"})
	}
	return nil
}

// naturalKeys checks that no two rows of t share a natural key:
// RuleNaturalKey.
func (v *verifier) naturalKeys(t schema.TableInfo) error {
	q := triggers.Quote(t.Name)
	for _, k := range t.NaturalKeys {
		cols := make([]string, len(k.Columns))
		notNull := make([]string, len(k.Columns))
		for i, c := range k.Columns {
			cols[i] = triggers.Quote(c) + " COLLATE " + triggers.Quote(k.Collations[i])
			notNull[i] = triggers.Quote(c) + " IS NOT NULL"
		}
		sql := `SELECT min(` + triggers.EntityID(t, q) + `), count(*) FROM ` + q + ` WHERE ` + triggers.Syncs(t, q) + ` AND ` +
			strings.Join(notNull, " AND ") + ` GROUP BY ` + strings.Join(cols, ", ") + ` HAVING count(*) > 1`
		err := v.a.query(sql, nil, func(s *sqlite3.Stmt) error {
			v.add(Violation{Rule: RuleNaturalKey, Table: t.Name, Entity: capture.ColumnValue(s, 0),
				Want: "one row holding its natural key " + k.String(), Got: fmt.Sprintf("%d rows", s.ColumnInt(1))})
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// show formats a value for a Violation.
func show(x any) string {
	switch x := x.(type) {
	case nil:
		return "NULL"
	case string:
		return fmt.Sprintf("%q", x)
	case []byte:
		return fmt.Sprintf("x'%x'", x)
	}
	return fmt.Sprint(x)
}

// equalValues reports whether two column values are the same SQL value.
func equalValues(x, y any) bool {
	if bx, ok := x.([]byte); ok {
		by, ok := y.([]byte)
		return ok && string(bx) == string(by)
	}
	if _, ok := y.([]byte); ok {
		return false
	}
	return x == y
}
