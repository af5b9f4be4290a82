package mongo

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// CertStore keeps each certificate under <username>/<program>/<seq> in
// "awards" (the insert that can only succeed once), and its number in
// "certificates" pointing at that key.
type CertStore struct{ db *DB }

var _ academy.CertStore = (*CertStore)(nil)

// NewCertStore returns the certificate store.
func NewCertStore(db *DB) *CertStore { return &CertStore{db: db} }

func awardKey(username, program string, seq int) string {
	return fmt.Sprintf("%s/%s/%d", username, program, seq)
}

type award struct {
	Key  string `bson:"_id"`
	Cert *academy.Certificate
}

// ClaimCertificate inserts the award; a duplicate key means another
// issuance won.
func (s *CertStore) ClaimCertificate(ctx context.Context, c *academy.Certificate) error {
	_, err := s.db.c("awards").InsertOne(ctx, award{awardKey(c.Username, c.Program, c.Seq), c})
	if err = FormatError(err); academy.ErrorCode(err) == academy.ECONFLICT {
		return academy.Errorf(academy.ECONFLICT, "已向 %s 发放“%s”的第 %d 张证书 / award %d of %s to %s is already issued", c.Username, c.Program, c.Seq, c.Seq, c.Program, c.Username)
	}
	return err
}

// IndexCertificate points the number at the award (an upsert, so it can be
// repeated after a crash between the two writes).
func (s *CertStore) IndexCertificate(ctx context.Context, c *academy.Certificate) error {
	_, err := s.db.c("certificates").ReplaceOne(ctx, bson.M{"_id": c.Number},
		bson.M{"_id": c.Number, "award": awardKey(c.Username, c.Program, c.Seq)}, options.Replace().SetUpsert(true))
	return FormatError(err)
}

// FindCertificate reads a certificate by number: two _id reads.
func (s *CertStore) FindCertificate(ctx context.Context, number string) (*academy.Certificate, error) {
	var idx struct {
		Award string `bson:"award"`
	}
	if err := s.db.c("certificates").FindOne(ctx, bson.M{"_id": number}).Decode(&idx); err != nil {
		return nil, FormatError(err)
	}
	return s.findAward(ctx, idx.Award)
}

// FindAward reads award seq of program to username.
func (s *CertStore) FindAward(ctx context.Context, username, program string, seq int) (*academy.Certificate, error) {
	return s.findAward(ctx, awardKey(username, program, seq))
}

func (s *CertStore) findAward(ctx context.Context, key string) (*academy.Certificate, error) {
	var a award
	if err := s.db.c("awards").FindOne(ctx, bson.M{"_id": key}).Decode(&a); err != nil {
		return nil, FormatError(err)
	}
	return a.Cert, nil
}

// SaveCertificate rewrites an issued certificate.
func (s *CertStore) SaveCertificate(ctx context.Context, c *academy.Certificate) error {
	res, err := s.db.c("awards").ReplaceOne(ctx, bson.M{"_id": awardKey(c.Username, c.Program, c.Seq)}, award{awardKey(c.Username, c.Program, c.Seq), c})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.Errorf(academy.ENOTFOUND, "证书 %s 不存在 / certificate %s not found", c.Number, c.Number)
	}
	return nil
}

// ListCertificates reads every award.
func (s *CertStore) ListCertificates(ctx context.Context) ([]*academy.Certificate, error) {
	cur, err := s.db.c("awards").Find(ctx, bson.M{})
	if err != nil {
		return nil, FormatError(err)
	}
	var as []award
	if err := cur.All(ctx, &as); err != nil {
		return nil, FormatError(err)
	}
	out := make([]*academy.Certificate, len(as))
	for i, a := range as {
		out[i] = a.Cert
	}
	return out, nil
}

// NextStatusIndex counts places in the revocation list up from 1, with one
// atomic increment.
func (s *CertStore) NextStatusIndex(ctx context.Context) (int, error) {
	var doc struct {
		N int `bson:"n"`
	}
	err := s.db.c("meta").FindOneAndUpdate(ctx, bson.M{"_id": "status_index"}, bson.M{"$inc": bson.M{"n": 1}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&doc)
	if err != nil {
		return 0, FormatError(err)
	}
	return doc.N, nil
}

// SetRevoked adds index to the revoked places or takes it out, moving the
// version on in the same write, so that concurrent revocations never lose
// one another.
func (s *CertStore) SetRevoked(ctx context.Context, index int, revoked bool) error {
	op := "$pull"
	if revoked {
		op = "$addToSet"
	}
	_, err := s.db.c("meta").UpdateOne(ctx, bson.M{"_id": "revocation_list"},
		bson.M{op: bson.M{"revoked": index}, "$inc": bson.M{"version": 1}}, options.UpdateOne().SetUpsert(true))
	return FormatError(err)
}

// RevocationList reads the revoked places and the highest place handed
// out: two _id reads.
func (s *CertStore) RevocationList(ctx context.Context) ([]int, int, int, error) {
	var list struct {
		Revoked []int `bson:"revoked"`
		Version int   `bson:"version"`
	}
	var counter struct {
		N int `bson:"n"`
	}
	for _, r := range []struct {
		id  string
		out any
	}{{"revocation_list", &list}, {"status_index", &counter}} {
		err := s.db.c("meta").FindOne(ctx, bson.M{"_id": r.id}).Decode(r.out)
		if err = FormatError(err); err != nil && academy.ErrorCode(err) != academy.ENOTFOUND {
			return nil, 0, 0, err
		}
	}
	return list.Revoked, list.Version, counter.N, nil
}

// SaveCredential keeps a certificate's signed credential, apart from the
// award so that dashboards reading every award do not read credentials.
func (s *CertStore) SaveCredential(ctx context.Context, number string, credential []byte) error {
	_, err := s.db.c("credentials").InsertOne(ctx, bson.M{"_id": number, "json": string(credential)})
	return FormatError(err)
}

// FindCredential reads a kept credential by certificate number.
func (s *CertStore) FindCredential(ctx context.Context, number string) ([]byte, error) {
	var doc struct {
		JSON string `bson:"json"`
	}
	if err := s.db.c("credentials").FindOne(ctx, bson.M{"_id": number}).Decode(&doc); err != nil {
		return nil, FormatError(err)
	}
	return []byte(doc.JSON), nil
}

// ProgramService stores certification programs, one document each.
type ProgramService struct{ db *DB }

var _ academy.ProgramService = (*ProgramService)(nil)

// NewProgramService returns the program store.
func NewProgramService(db *DB) *ProgramService { return &ProgramService{db: db} }

// ListPrograms reads every program.
func (s *ProgramService) ListPrograms(ctx context.Context) ([]*academy.Program, error) {
	cur, err := s.db.c("programs").Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.Program
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// SaveProgram creates or replaces a program.
func (s *ProgramService) SaveProgram(ctx context.Context, p *academy.Program) error {
	_, err := s.db.c("programs").ReplaceOne(ctx, bson.M{"_id": p.Slug}, p, options.Replace().SetUpsert(true))
	return FormatError(err)
}

// SetProgramStatus archives or reactivates a program.
func (s *ProgramService) SetProgramStatus(ctx context.Context, slug, status string) error {
	_, err := s.db.c("programs").UpdateOne(ctx, bson.M{"_id": slug}, bson.M{"$set": bson.M{"status": status}})
	return FormatError(err)
}

// IssuerKey returns the key that signs credentials, made at first start:
// whichever instance inserts it first wins, and every other reads that one,
// so all instances sign with the same key.
func (s *CertStore) IssuerKey(ctx context.Context) (ed25519.PrivateKey, error) {
	var doc struct {
		Seed []byte `bson:"seed"`
	}
	err := s.db.c("meta").FindOne(ctx, bson.M{"_id": "issuer_key"}).Decode(&doc)
	if academy.ErrorCode(FormatError(err)) == academy.ENOTFOUND {
		_, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, gerr
		}
		_, err = s.db.c("meta").InsertOne(ctx, bson.M{"_id": "issuer_key", "seed": priv.Seed()})
		if academy.ErrorCode(FormatError(err)) == academy.ECONFLICT {
			return s.IssuerKey(ctx)
		} else if err != nil {
			return nil, FormatError(err)
		}
		return priv, nil
	} else if err != nil {
		return nil, FormatError(err)
	}
	if len(doc.Seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("issuer key in the database is %d bytes, want %d", len(doc.Seed), ed25519.SeedSize)
	}
	return ed25519.NewKeyFromSeed(doc.Seed), nil
}
