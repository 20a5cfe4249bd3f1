package capture

// Register is the state of one last-writer-wins register: a field's, or a
// row's existence.
type Register struct {
	// Set is whether the register exists here at all.
	Set bool
	// Stamp is its winning write's stamp.
	Stamp Stamp
	// Dead marks an existence register whose row is deleted.
	Dead bool
}

// Effective returns the stamp of the write a field's current value comes
// from, given the row's existence register and the field's own: the newer
// of the two while the row is alive (an insert writes every field); the
// field's own while the row is deleted or unknown, if it is newer than the
// delete. It reports false when the field has no value that counts.
func Effective(exist, field Register) (Stamp, bool) {
	if exist.Set && !exist.Dead {
		if field.Set && exist.Stamp.Less(field.Stamp) {
			return field.Stamp, true
		}
		return exist.Stamp, true
	}
	if field.Set && (!exist.Set || exist.Stamp.Less(field.Stamp)) {
		return field.Stamp, true
	}
	return Stamp{}, false
}
