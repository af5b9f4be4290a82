package mongo

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// SandboxStore stores sandboxes, one document each (tickets inside, the
// directory by reference), and per owner the list of their sandbox ids, so
// that neither opening nor listing scans the collection.
type SandboxStore struct {
	db          *DB
	directories *frozen[academy.Directory]
}

var _ academy.SandboxStore = (*SandboxStore)(nil)

// NewSandboxStore returns the sandbox store.
func NewSandboxStore(db *DB) *SandboxStore {
	return &SandboxStore{db: db, directories: &frozen[academy.Directory]{db: db, coll: "frozen_directories"}}
}

// sandboxDoc is a sandbox as stored. A sandbox's directory never changes
// (a reset puts back the fixture's, which is the same), so it and the
// fixture's are digests in frozen_directories: 30 KB that every click
// would otherwise read and write. Sandboxes stored before keep their
// directories inline, and read as they are.
type sandboxDoc struct {
	academy.Sandbox `bson:",inline"`
	DirectoryRef    string `bson:"directory_ref,omitempty"`
	FixtureRef      string `bson:"fixture_directory_ref,omitempty"`
}

func (s *SandboxStore) doc(ctx context.Context, sb *academy.Sandbox) (*sandboxDoc, error) {
	d := &sandboxDoc{Sandbox: *sb}
	var err error
	if d.DirectoryRef, err = s.directories.put(ctx, sb.Directory); err != nil {
		return nil, err
	}
	d.Directory = academy.Directory{}
	if sb.Fixture != nil {
		if d.FixtureRef, err = s.directories.put(ctx, sb.Fixture.Directory); err != nil {
			return nil, err
		}
		fx := *sb.Fixture
		fx.Directory = academy.Directory{}
		d.Fixture = &fx
	}
	return d, nil
}

func (s *SandboxStore) sandbox(ctx context.Context, d *sandboxDoc) (*academy.Sandbox, error) {
	sb := &d.Sandbox
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
		_, err := s.db.c("sandbox_index").UpdateOne(ctx, bson.M{"_id": sb.Owner}, bson.M{"$addToSet": bson.M{"ids": sb.ID}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	return FormatError(err)
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
	var idx struct {
		IDs []string `bson:"ids"`
	}
	err := s.db.c("sandbox_index").FindOne(ctx, bson.M{"_id": owner}).Decode(&idx)
	if err != nil && academy.ErrorCode(FormatError(err)) != academy.ENOTFOUND {
		return nil, FormatError(err)
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

// DeleteSandbox removes a sandbox and takes it off its owner's list. Its
// directories stay in frozen_directories: other sandboxes share them.
func (s *SandboxStore) DeleteSandbox(ctx context.Context, owner, id string) error {
	if _, err := s.db.c("sandboxes").DeleteOne(ctx, bson.M{"_id": id, "owner": owner}); err != nil {
		return FormatError(err)
	}
	_, err := s.db.c("sandbox_index").UpdateOne(ctx, bson.M{"_id": owner}, bson.M{"$pull": bson.M{"ids": id}})
	return FormatError(err)
}
