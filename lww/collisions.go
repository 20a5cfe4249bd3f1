package lww

import (
	"fmt"

	"github.com/capture-sync/capture/schema"
)

// collision is a row that another row's natural key kept out of its table.
type collision struct {
	t      schema.TableInfo
	entity any
}

// noteCollision notes that a row with these values could not be placed,
// when another row holds one of its natural keys: the end of the Apply
// merges the two (mergeCollisions). Merging then, rather than at once,
// keeps a changeset's own order from merging rows it does not hold
// together: a category deleted and its name given to a new one in the same
// changeset, applied in another order, would otherwise merge.
func (a *applier) noteCollision(t schema.TableInfo, entity any, values map[string]any) error {
	if len(t.NaturalKeys) == 0 {
		return nil
	}
	_, found, err := a.naturalHolder(t, entity, values)
	if err == nil && found {
		a.collisions = append(a.collisions, collision{t, entity})
	}
	return err
}

// mergeCollisions merges each row noted by noteCollision that is still
// out of its table with the row that holds its natural key.
func (a *applier) mergeCollisions() error {
	for i := 0; i < len(a.collisions); i++ {
		if i > maxMergeDepth*1024 {
			return fmt.Errorf("more than %d merges in one apply", i)
		}
		c := a.collisions[i]
		cls, err := a.classOrSingle(c.t, c.entity)
		if err != nil {
			return err
		}
		var values map[string]any
		if len(cls.members) > 1 {
			var alive bool
			if values, alive, err = a.classValues(cls); err != nil {
				return err
			}
			if !alive {
				continue // deleted since: nothing waits
			}
		} else {
			exist, _, err := a.registers(c.t.Name, c.entity, "")
			if err != nil {
				return err
			}
			if !exist.Set || exist.Dead {
				continue
			}
			if values, err = a.currentValues(c.t, c.t.Name, c.entity); err != nil {
				return err
			}
			if err := a.resolveValues(c.t, values); err != nil {
				return err
			}
		}
		if here, err := a.tableRow(c.t, cls.rep); err != nil {
			return err
		} else if len(here) > 0 {
			continue // placed since
		}
		holder, found, err := a.naturalHolder(c.t, cls.rep, values)
		if err != nil {
			return err
		}
		if !found {
			// The row that held the key has let go of it since: the
			// row goes in now.
			if len(cls.members) > 1 {
				err = a.recombine(cls, 0)
			} else {
				err = a.placeParked(c.t, c.entity)
			}
			if err != nil {
				return err
			}
			continue
		}
		if len(cls.members) == 1 {
			if err := a.adoptMember(c.t, c.entity); err != nil {
				return err
			}
		}
		if err := a.union(c.t, cls.rep, holder, a.localStamp(), "both held its natural key", 0); err != nil {
			return err
		}
	}
	a.collisions = nil
	return nil
}
