package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/trackbot/trackbot/storage"
	"github.com/trackbot/trackbot/tracker/ups/upstest"
)

// childEnv marks the test binary started by TestSecondSignalExitsAtOnce as
// the program under test.
const childEnv = "TRACKBOT_TEST_SIGNAL_CHILD"

// TestSignalChild is `trackbot run` in a process of its own: signals can
// only be tested on a real process. It does nothing in a normal test run.
func TestSignalChild(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("only runs as the child of TestSecondSignalExitsAtOnce")
	}
	if err := run([]string{"run"}, strings.NewReader(""), os.Stdout, os.Stderr); err != nil {
		os.Stderr.WriteString("trackbot: " + oneLine(err) + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

// TestSecondSignalExitsAtOnce: the first SIGTERM starts a graceful shutdown,
// which waits for a poll still talking to a slow carrier; a second SIGINT
// ends the process at once instead of waiting for it.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program as a child process")
	}
	w := newWorld(t)
	num := upstest.TrackingNumber(4242)
	upsStep(w.ups, num)
	w.ups.SetDelay(time.Minute) // longer than the client's 20 s timeout: the tick stays busy

	// A followed UPS parcel, due at the first tick.
	ctx := context.Background()
	st, err := storage.Open(ctx, w.db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.TouchChat(ctx, storage.Chat{ID: 5550707, Type: "private", Title: "Gil", Active: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Subscribe(ctx, storage.SubscribeParams{ChatID: 5550707, Carrier: "ups", Number: num, Now: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestSignalChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), w.environ()...), childEnv+"=1") // a later entry wins
	log := &lockedBuffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-done
		}
	})
	alive := func(what string) {
		t.Helper()
		select {
		case err := <-done:
			done <- err
			t.Fatalf("program ended (%v) %s; log:\n%s", err, what, log)
		default:
		}
	}

	waitFor(t, "the program to take updates", func() bool {
		alive("before taking updates")
		return strings.Contains(log.String(), "bot: polling Telegram")
	})
	waitFor(t, "a poll to reach the slow carrier", func() bool { alive("before polling"); return w.ups.Requests() > 0 })

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the graceful shutdown to begin", func() bool { alive("during the first signal"); return strings.Contains(log.String(), "shutting down") })
	time.Sleep(500 * time.Millisecond)
	alive("half a second into a graceful shutdown, with a poll in flight: it did not wait for it")

	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err
		if took := time.Since(sent); took > 3*time.Second {
			t.Errorf("exited %v after the second signal", took)
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Success() {
			t.Errorf("exit after the second signal: %v, want a failed exit", err)
		}
		if strings.Contains(log.String(), `"msg":"stopped"`) {
			t.Errorf("the program finished its graceful shutdown instead of quitting at once; log:\n%s", log)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after the second signal; log:\n%s", log)
	}
}
