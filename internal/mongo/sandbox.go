package mongo

import (
	"context"
	"fmt"
	"slices"

	"github.com/klauspost/compress/zstd"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// SandboxStore stores sandboxes, one document each (tickets inside, the
// directory by reference), and per owner the list of their sandbox ids, so
// that neither opening nor listing scans the collection. The list also
// keeps each sandbox's scenario, so that opening one more decides what to
// trim without reading the ten kept (each some 20 KB to unpack).
type SandboxStore struct {
	db          *DB
	directories *frozen[academy.Directory]
	// pack and unpack compress the tickets; both are safe for use by
	// many requests at once.
	pack   *zstd.Encoder
	unpack *zstd.Decoder
}

var _ academy.SandboxStore = (*SandboxStore)(nil)

// NewSandboxStore returns the sandbox store.
func NewSandboxStore(db *DB) *SandboxStore {
	// Neither fails with these options: no reader or writer is given, and
	// the level and concurrency are valid.
	pack, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	unpack, _ := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	return &SandboxStore{db: db, directories: &frozen[academy.Directory]{db: db, coll: "frozen_directories"}, pack: pack, unpack: unpack}
}

// sandboxDoc is a sandbox as stored. A sandbox's directory never changes
// (a reset puts back the fixture's, which is the same), so it and the
// fixture's are digests in frozen_directories: 30 KB that every click
// would otherwise read and write.
//
// The tickets and the fixture's tickets are packed into one compressed
// binary field (the BSON of packedSandbox). The embedded store writes
// the type of every field of every ticket and event beside it and decodes
// it all on each read: a practice desk's 35 tickets, twice, made a
// document of 180 KB, two thirds of it types, read by every click in a
// sandbox. The fixture's tickets are mostly the live ones unchanged, which
// the compression stores once.
//
// Sandboxes stored before keep their directories and tickets inline, and
// read as they are.
type sandboxDoc struct {
	academy.Sandbox `bson:",inline"`
	DirectoryRef    string `bson:"directory_ref,omitempty"`
	FixtureRef      string `bson:"fixture_directory_ref,omitempty"`
	Packed          []byte `bson:"packed,omitempty"`
}

// packedSandbox is what sandboxDoc.Packed holds, compressed.
type packedSandbox struct {
	Tickets []academy.Ticket `bson:"tickets"`
	Fixture []academy.Ticket `bson:"fixture,omitempty"`
}

func (s *SandboxStore) doc(ctx context.Context, sb *academy.Sandbox) (*sandboxDoc, error) {
	d := &sandboxDoc{Sandbox: *sb}
	var err error
	if d.DirectoryRef, err = s.directories.put(ctx, sb.Directory); err != nil {
		return nil, err
	}
	d.Directory = academy.Directory{}
	p := packedSandbox{Tickets: sb.Tickets}
	if sb.Fixture != nil {
		if d.FixtureRef, err = s.directories.put(ctx, sb.Fixture.Directory); err != nil {
			return nil, err
		}
		fx := *sb.Fixture
		p.Fixture = fx.Tickets
		fx.Directory, fx.Tickets = academy.Directory{}, nil
		d.Fixture = &fx
	}
	b, err := bson.Marshal(p)
	if err != nil {
		return nil, academy.Errorf(academy.EINTERNAL, "sandbox %s: %v", sb.ID, err)
	}
	d.Packed, d.Tickets = s.pack.EncodeAll(b, nil), nil
	return d, nil
}

func (s *SandboxStore) sandbox(ctx context.Context, d *sandboxDoc) (*academy.Sandbox, error) {
	sb := &d.Sandbox
	if len(d.Packed) > 0 {
		b, err := s.unpack.DecodeAll(d.Packed, nil)
		if err != nil {
			return nil, fmt.Errorf("sandbox %s: %w", sb.ID, err)
		}
		var p packedSandbox
		if err := bson.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("sandbox %s: %w", sb.ID, err)
		}
		sb.Tickets = p.Tickets
		if sb.Fixture != nil {
			sb.Fixture.Tickets = p.Fixture
		}
	}
	if d.DirectoryRef != "" {
		dir, err := s.directories.get(ctx, d.DirectoryRef)
		if err != nil {
			return nil, fmt.Errorf("sandbox %s: %w", sb.ID, err)
		}
		sb.Directory = dir.Clone()
	}
	if d.FixtureRef != "" && sb.Fixture != nil {
		dir, err := s.directories.get(ctx, d.FixtureRef)
		if err != nil {
			return nil, fmt.Errorf("sandbox %s: %w", sb.ID, err)
		}
		sb.Fixture.Directory = dir.Clone()
	}
	return sb, nil
}

// InsertSandbox stores a new sandbox and adds it to its owner's list.
func (s *SandboxStore) InsertSandbox(ctx context.Context, sb *academy.Sandbox) error {
	d, err := s.doc(ctx, sb)
	if err != nil {
		return err
	}
	if _, err := s.db.c("sandboxes").InsertOne(ctx, d); err != nil {
		return FormatError(err)
	}
	err = upsert(func() error {
		_, err := s.db.c("sandbox_index").UpdateOne(ctx, bson.M{"_id": sb.Owner},
			bson.M{"$addToSet": bson.M{"ids": sb.ID}, "$set": bson.M{"scenarios." + sb.ID: sb.Scenario}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	return FormatError(err)
}

// sandboxIndex is an owner's list of sandboxes, oldest first. Scenarios
// has an entry, empty for a practice desk, for each sandbox opened since
// it was kept; older ones are read to learn theirs.
type sandboxIndex struct {
	IDs       []string          `bson:"ids"`
	Scenarios map[string]string `bson:"scenarios"`
}

func (s *SandboxStore) index(ctx context.Context, owner string) (sandboxIndex, error) {
	var idx sandboxIndex
	err := s.db.c("sandbox_index").FindOne(ctx, bson.M{"_id": owner}).Decode(&idx)
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ENOTFOUND {
		return idx, FormatError(err)
	}
	return idx, nil
}

// FindSandbox reads a sandbox.
func (s *SandboxStore) FindSandbox(ctx context.Context, id string) (*academy.Sandbox, error) {
	var d sandboxDoc
	if err := s.db.c("sandboxes").FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.Errorf(academy.ENOTFOUND, "演练环境不存在 / Sandbox %q not found.", id)
		}
		return nil, err
	}
	return s.sandbox(ctx, &d)
}

// SaveSandbox writes version sb.Version over version sb.Version-1, which
// refuses a second writer of the same version.
func (s *SandboxStore) SaveSandbox(ctx context.Context, sb *academy.Sandbox) error {
	d, err := s.doc(ctx, sb)
	if err != nil {
		return err
	}
	if err := replaceVersion(ctx, s.db.c("sandboxes"), sb.ID, sb.Version, d); err != nil {
		if academy.ErrorCode(err) == academy.ECONFLICT {
			return academy.Errorf(academy.ECONFLICT, "演练环境已被更新,请刷新后再操作 / The sandbox changed meanwhile; reload and try again.")
		}
		return err
	}
	return nil
}

// ListSandboxes returns an owner's sandboxes, newest first.
func (s *SandboxStore) ListSandboxes(ctx context.Context, owner string) ([]*academy.Sandbox, error) {
	idx, err := s.index(ctx, owner)
	if err != nil {
		return nil, err
	}
	var out []*academy.Sandbox
	for i := len(idx.IDs) - 1; i >= 0; i-- {
		sb, err := s.FindSandbox(ctx, idx.IDs[i])
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, sb)
	}
	return out, nil
}

// ListSandboxRefs returns an owner's sandboxes as refs, newest first,
// reading only those whose scenario the list does not keep.
func (s *SandboxStore) ListSandboxRefs(ctx context.Context, owner string) ([]academy.SandboxRef, error) {
	idx, err := s.index(ctx, owner)
	if err != nil {
		return nil, err
	}
	var out []academy.SandboxRef
	for i := len(idx.IDs) - 1; i >= 0; i-- {
		id := idx.IDs[i]
		scenario, ok := idx.Scenarios[id]
		if !ok {
			sb, err := s.FindSandbox(ctx, id)
			if academy.ErrorCode(err) == academy.ENOTFOUND {
				continue
			} else if err != nil {
				return nil, err
			}
			scenario = sb.Scenario
		}
		out = append(out, academy.SandboxRef{ID: id, Scenario: scenario})
	}
	return out, nil
}

// DeleteSandbox removes a sandbox and takes it off its owner's list. Its
// directories stay in frozen_directories: other sandboxes share them.
//
// That the sandbox is owner's is read from owner's list, and the sandbox
// deleted by _id alone: the embedded store scans the whole collection for
// a filter on more than _id, and sandboxes are large. Ids are never
// reused, so one on owner's list stays owner's; one that is not (or no
// longer) there is left alone.
func (s *SandboxStore) DeleteSandbox(ctx context.Context, owner, id string) error {
	idx, err := s.index(ctx, owner)
	if err != nil || !slices.Contains(idx.IDs, id) {
		return err
	}
	if _, err := s.db.c("sandboxes").DeleteOne(ctx, bson.M{"_id": id}); err != nil {
		return FormatError(err)
	}
	_, err = s.db.c("sandbox_index").UpdateOne(ctx, bson.M{"_id": owner},
		bson.M{"$pull": bson.M{"ids": id}, "$unset": bson.M{"scenarios." + id: ""}})
	return FormatError(err)
}
