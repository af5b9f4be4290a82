package notify_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/academy/academy/internal/academy"
	"github.com/academy/academy/internal/mongo"
	"github.com/academy/academy/internal/mongo/mongotest"
	"github.com/academy/academy/internal/notify"
)

func TestMain(m *testing.M) { os.Exit(mongotest.Main(m)) }

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// people is a fixed directory; everyone is in Shanghai.
type people map[string]*academy.User

func (p people) FindUser(_ context.Context, username string) (*academy.User, error) {
	if u, ok := p[username]; ok {
		return u, nil
	}
	return nil, academy.UserNotFound(username)
}
func (p people) ZoneOf(context.Context, *academy.User) *time.Location { return shanghai }
func (p people) SiteZone(context.Context, string) *time.Location      { return shanghai }

// recorder is a channel that records what it was given and fails as told.
type recorder struct {
	name string
	mu   sync.Mutex
	got  []notify.Delivery
	fail func(d notify.Delivery) error
}

var errRefused = errors.New("refused for good")

func (r *recorder) Name() string             { return r.name }
func (r *recorder) Permanent(err error) bool { return errors.Is(err, errRefused) }
func (r *recorder) Send(_ context.Context, d notify.Delivery) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		if err := r.fail(d); err != nil {
			return err
		}
	}
	r.got = append(r.got, d)
	return nil
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, d := range r.got {
		out = append(out, d.ID)
	}
	return out
}

type world struct {
	st    *mongo.Notify
	svc   *notify.Service
	mail  *recorder
	clock time.Time
	mu    sync.Mutex
}

func newWorld(t *testing.T) *world {
	db := mongotest.Open(t)
	w := &world{st: mongo.NewNotify(db), mail: &recorder{name: notify.ChannelEmail}, clock: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)} // 10:00 in Shanghai
	db.Now = w.now
	w.svc = &notify.Service{Store: w.st, Now: w.now, Email: true, People: people{
		"li":   {ID: "li", Username: "li", Email: "li@example.com", Lang: "zh", Status: academy.StatusActive},
		"amy":  {ID: "amy", Username: "amy", Email: "amy@example.com", Lang: "en", Status: academy.StatusActive},
		"wang": {ID: "wang", Username: "wang", Lang: "zh", Status: academy.StatusActive},
	}}
	return w
}

func (w *world) now() time.Time          { w.mu.Lock(); defer w.mu.Unlock(); return w.clock }
func (w *world) advance(d time.Duration) { w.mu.Lock(); w.clock = w.clock.Add(d); w.mu.Unlock() }

func (w *world) relay(id string, chans ...notify.Channel) *notify.Relay {
	return &notify.Relay{Service: w.svc, Channels: chans, ID: id, Now: w.now}
}

// Two relays flushing the same store at once send each delivery once.
func TestRelaysRacingSendEachOnce(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	var ms []notify.Message
	for i := range 20 {
		ms = append(ms, notify.Message{Key: fmt.Sprintf("granted/q%d/li", i), Kind: notify.KindAttemptGranted, To: "li", Params: map[string]string{"title": fmt.Sprint("测验", i)}})
	}
	if err := w.svc.Enqueue(ctx, ms...); err != nil {
		t.Fatal(err)
	}
	a, b := w.relay("a", w.mail), w.relay("b", w.mail)
	var wg sync.WaitGroup
	for _, r := range []*notify.Relay{a, b, a, b} {
		wg.Go(func() {
			if _, err := r.Flush(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := w.mail.ids()
	if len(got) != 20 {
		t.Fatalf("sent %d, want 20: %v", len(got), got)
	}
	slices.Sort(got)
	if c := slices.Compact(got); len(c) != 20 {
		t.Fatalf("some were sent twice: %v", got)
	}
	list, total, unread, err := w.st.Notifications(ctx, "li", 0, 50)
	if err != nil || total != 20 || unread != 20 || len(list) != 20 {
		t.Fatalf("in-app: %d of %d, %d unread (%v), want 20 unread", len(list), total, unread, err)
	}
}

// A failing channel is retried with growing delays; a permanent refusal
// is parked with its reason and not retried until an admin resends it.
func TestRelayBackoffAndParking(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	fails := 2
	w.mail.fail = func(d notify.Delivery) error {
		if d.To == "amy" {
			return fmt.Errorf("550 no such mailbox: %w", errRefused)
		}
		if fails > 0 {
			fails--
			return errors.New("421 try later")
		}
		return nil
	}
	r := w.relay("a", w.mail)
	r.Base = time.Minute
	if err := w.svc.Enqueue(ctx,
		notify.Message{Key: "granted/q/li", Kind: notify.KindAttemptGranted, To: "li", Params: map[string]string{"title": "消防"}},
		notify.Message{Key: "granted/q/amy", Kind: notify.KindAttemptGranted, To: "amy", Params: map[string]string{"title": "Fire"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Flush(ctx); err == nil {
		t.Fatal("a failed send was not reported")
	}
	ds, _, _ := w.st.ListDeliveries(ctx, notify.DeliveryFilter{Limit: 10})
	state := map[string]notify.Delivery{}
	for _, d := range ds {
		state[d.To] = d
	}
	if d := state["amy"]; d.State != notify.Parked || !strings.Contains(d.Reason, "550") {
		t.Fatalf("amy's delivery: %+v, want parked with the reason", d)
	}
	if d := state["li"]; d.State != notify.Queued || d.Attempts != 1 || d.NextAt.Sub(w.now()) < 54*time.Second || d.NextAt.Sub(w.now()) > 66*time.Second {
		t.Fatalf("li's delivery after one failure: %+v, want queued for about a minute", d)
	}
	// Not due yet: nothing is tried.
	w.advance(30 * time.Second)
	if n, err := r.Flush(ctx); n != 0 || err != nil {
		t.Fatalf("flush before the retry: %d, %v", n, err)
	}
	w.advance(40 * time.Second)
	_, _ = r.Flush(ctx) // second failure: now about two minutes
	ds, _, _ = w.st.ListDeliveries(ctx, notify.DeliveryFilter{State: notify.Queued, Limit: 10})
	if len(ds) != 1 || ds[0].Attempts != 2 || ds[0].NextAt.Sub(w.now()) < 108*time.Second {
		t.Fatalf("after two failures: %+v, want the delay doubled", ds)
	}
	w.advance(3 * time.Minute)
	if n, err := r.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("third try: %d sent, %v", n, err)
	}
	w.advance(24 * time.Hour)
	if n, _ := r.Flush(ctx); n != 0 || len(w.mail.ids()) != 1 {
		t.Fatalf("the parked one was retried: %v", w.mail.ids())
	}
	if c := r.Counts()[notify.ChannelEmail]; c != (notify.Counts{Sent: 1, Failed: 2, Parked: 1}) {
		t.Fatalf("counts %+v", c)
	}
	w.mail.fail = nil
	if err := w.st.Resend(ctx, "granted/q/amy/email", w.now()); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("resent: %d, %v", n, err)
	}
	if err := w.st.Resend(ctx, "granted/q/amy/email", w.now()); academy.ErrorCode(err) != academy.ECONFLICT {
		t.Fatalf("resending a sent one: %v, want a conflict", err)
	}
}
