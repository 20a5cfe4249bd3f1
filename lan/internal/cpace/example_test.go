package cpace_test

import (
	"bytes"
	"crypto/rand"
	"fmt"

	"github.com/capture-sync/capture/lan/internal/cpace"
)

// The phone (initiator) and the desktop (responder) run CPace with the
// code the desktop shows; both get the same key, which they must then
// confirm to each other.
func ExampleStart() {
	code := []byte("482913")
	ci := []byte("\x05phone\x07desktop") // both parties' identities, in one order
	sid := []byte("fresh-session-id")    // chosen for the run, known to both
	phone, _ := cpace.Start(code, ci, sid, []byte("phone"), rand.Reader)
	desktop, _ := cpace.Start(code, ci, sid, []byte("desktop"), rand.Reader)

	// Each sends its Message (and associated data) to the other.
	kp, err := phone.Finish(desktop.Message(), []byte("desktop"), true)
	if err != nil {
		panic(err)
	}
	kd, err := desktop.Finish(phone.Message(), []byte("phone"), false)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(kp), bytes.Equal(kp, kd))
	// Output: 64 true
}
