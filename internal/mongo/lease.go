package mongo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// A lease is one document in "leases" naming the process that holds a
// role (running the migrations, being the one writer) until it expires.
// The holder renews it while it works; a holder that died leaves it to
// expire, and the next process takes it over.
//
// Taking one is an insert of its _id, the one write whose exclusivity
// every MongoDB-compatible server keeps (a unique index), so that leases
// hold on the servers whose updates are not atomic too. Expiry compares
// the clocks of different machines: keep them synchronised (NTP); a skew
// of seconds is harmless against these lifetimes.
type leaseDoc struct {
	ID        string    `bson:"_id"`
	Owner     string    `bson:"owner"`  // the process, random per start
	Holder    string    `bson:"holder"` // the process as people name it: pid and host
	Since     time.Time `bson:"since"`
	RenewedAt time.Time `bson:"renewed_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// Leases in use and how long each lives without renewal.
const (
	leaseMigrate = "migrate"
	leaseWriter  = "writer"
	// A migration renews its lease while it runs; a process that died
	// halfway leaves the rest to the next start after a minute.
	migrateLeaseTTL = time.Minute
	// A restart after a crash waits this long for its own old lease.
	writerLeaseTTL = 30 * time.Second
)

// Lease is a lease this process holds.
type Lease struct {
	db      *DB
	doc     leaseDoc
	ttl     time.Duration
	lost    chan struct{}
	stop    chan struct{}
	stopped sync.WaitGroup
}

// LeaseHeldError reports a lease that another live process holds.
type LeaseHeldError struct {
	Name   string
	Holder string
	Since  time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("%s lease held by %s since %s", e.Name, e.Holder, e.Since.UTC().Format(time.RFC3339))
}

// processName names this process for the people who read a lease.
func processName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("pid %d on %s", os.Getpid(), host)
}

func newOwner() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// leaseWait is what acquireLease does while another process holds the
// lease.
type leaseWait int

const (
	// waitForHolder waits while the holder works, up to patience.
	waitForHolder leaseWait = iota
	// refuseLiveHolder refuses as soon as the holder is seen renewing,
	// and waits only for a lease that nobody renews any more to expire.
	refuseLiveHolder
)

// acquireLease takes lease name for ttl, polling while another process
// holds it, and keeps it renewed until Release.
func (db *DB) acquireLease(ctx context.Context, name string, ttl time.Duration, wait leaseWait, patience time.Duration) (*Lease, error) {
	deadline := time.Now().Add(patience)
	var first leaseDoc
	for {
		l, cur, err := db.tryLease(ctx, name, ttl)
		if err != nil || l != nil {
			return l, err
		}
		if cur.Owner == "" {
			continue // gone or just removed as expired: insert again
		}
		held := &LeaseHeldError{Name: name, Holder: cur.Holder, Since: cur.Since}
		switch {
		case first.Owner == "":
			first = cur
		case wait == refuseLiveHolder && cur.Owner == first.Owner && !cur.RenewedAt.Equal(first.RenewedAt):
			return nil, held
		case wait == refuseLiveHolder && cur.Owner != first.Owner:
			return nil, held // another process took it over meanwhile
		}
		if time.Now().After(deadline) {
			return nil, held
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// tryLease takes lease name if it is free or expired; otherwise it returns
// the holder's lease.
func (db *DB) tryLease(ctx context.Context, name string, ttl time.Duration) (*Lease, leaseDoc, error) {
	now := db.Now()
	doc := leaseDoc{ID: name, Owner: db.owner, Holder: processName(), Since: now, RenewedAt: now, ExpiresAt: now.Add(ttl)}
	c := db.c("leases")
	_, err := c.InsertOne(ctx, doc)
	if err == nil {
		return db.keepLease(doc, ttl), leaseDoc{}, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return nil, leaseDoc{}, fmt.Errorf("take the %s lease: %w", name, FormatError(err))
	}
	var cur leaseDoc
	err = c.FindOne(ctx, bson.M{"_id": name}).Decode(&cur)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, cur, nil // released in between: the next round inserts
	} else if err != nil {
		return nil, cur, fmt.Errorf("read the %s lease: %w", name, FormatError(err))
	}
	if now.Before(cur.ExpiresAt) {
		return nil, cur, nil
	}
	// Expired: remove that very lease (a renewal in between changes
	// renewed_at and keeps it), then race for a new one by insert.
	if _, err := c.DeleteOne(ctx, bson.M{"_id": name, "owner": cur.Owner, "renewed_at": cur.RenewedAt}); err != nil {
		return nil, cur, fmt.Errorf("remove the expired %s lease: %w", name, FormatError(err))
	}
	return nil, leaseDoc{}, nil
}

// keepLease renews the lease a third of its lifetime apart until Release;
// a renewal that finds the lease gone or another's closes Lost.
func (db *DB) keepLease(doc leaseDoc, ttl time.Duration) *Lease {
	l := &Lease{db: db, doc: doc, ttl: ttl, lost: make(chan struct{}), stop: make(chan struct{})}
	l.stopped.Add(1)
	go func() {
		defer l.stopped.Done()
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), ttl/3)
			now := db.Now()
			res, err := db.c("leases").UpdateOne(ctx, bson.M{"_id": doc.ID, "owner": doc.Owner},
				bson.M{"$set": bson.M{"renewed_at": now, "expires_at": now.Add(ttl)}})
			cancel()
			// A failed renewal (the server away) is tried again at the
			// next tick: nobody can take the lease while the server is
			// away, and afterwards the owner filter tells.
			if err == nil && res.MatchedCount == 0 {
				close(l.lost)
				return
			}
		}
	}()
	return l
}

// Lost is closed when the lease turns out to be another process's: it
// expired while this one could not renew it, and someone took it over.
func (l *Lease) Lost() <-chan struct{} { return l.lost }

// Release stops renewing and gives the lease up.
func (l *Lease) Release(ctx context.Context) error {
	close(l.stop)
	l.stopped.Wait()
	_, err := l.db.c("leases").DeleteOne(ctx, bson.M{"_id": l.doc.ID, "owner": l.doc.Owner})
	return FormatError(err)
}

// HoldWriter takes the writer lease, for a server whose updates are not
// atomic (Server.Atomic): there one process at a time may write. It waits
// for the lease of a process that stopped renewing it (a crash) to
// expire, and refuses with a *LeaseHeldError while another process holds
// it.
func (db *DB) HoldWriter(ctx context.Context) (*Lease, error) {
	return db.holdWriter(ctx, writerLeaseTTL)
}

func (db *DB) holdWriter(ctx context.Context, ttl time.Duration) (*Lease, error) {
	// Patience beyond the lifetime covers a holder seen just after it
	// renewed, and the polls.
	return db.acquireLease(ctx, leaseWriter, ttl, refuseLiveHolder, 2*ttl)
}
