package mongo

import (
	"context"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/academy/academy/internal/academy"
)

// UserService stores users keyed by lower-cased username.
type UserService struct{ db *DB }

var _ academy.UserService = (*UserService)(nil)

// NewUserService returns the user store.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

// CreateUser inserts u; a taken username (in any case) or employee
// number is ECONFLICT.
func (s *UserService) CreateUser(ctx context.Context, u *academy.User) error {
	_, err := s.db.c("users").InsertOne(ctx, u)
	if err = FormatError(err); academy.ErrorCode(err) == academy.ECONFLICT {
		if taken := s.employeeNoTaken(ctx, u.ID, u.EmployeeNo); taken != nil {
			return taken
		}
		return academy.Errorf(academy.ECONFLICT, "username: 用户名 %q 已被占用 / %q is taken", u.Username, u.Username)
	}
	return err
}

// employeeNoTaken names the other holder of no, if there is one. The
// duplicate-key error does not say which index refused (the embedded
// store does not name it), so the conflict is explained by looking.
func (s *UserService) employeeNoTaken(ctx context.Context, id, no string) error {
	if no == "" {
		return nil
	}
	var holder academy.User
	err := s.db.c("users").FindOne(ctx, bson.M{"employee_no": no, "_id": bson.M{"$ne": id}}).Decode(&holder)
	if err != nil {
		return nil
	}
	return academy.EmployeeNoTaken(no, &holder)
}

// FindUser reads a user by username (any case).
func (s *UserService) FindUser(ctx context.Context, username string) (*academy.User, error) {
	var u academy.User
	err := s.db.c("users").FindOne(ctx, bson.M{"_id": academy.UserID(username)}).Decode(&u)
	if err != nil {
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.UserNotFound(username)
		}
		return nil, err
	}
	return &u, nil
}

// FindUsersBy reads the accounts whose employee number or email is value.
func (s *UserService) FindUsersBy(ctx context.Context, field, value string, limit int) ([]*academy.User, error) {
	var filter bson.M
	switch field {
	case academy.ClaimEmployeeNo:
		filter = bson.M{"employee_no": value}
	case academy.ClaimEmail:
		// Addresses are stored as typed; people type them in any case.
		filter = bson.M{"email": bson.Regex{Pattern: "^" + regexp.QuoteMeta(value) + "$", Options: "i"}}
	default:
		return nil, academy.Errorf(academy.EINVALID, "查找用户：未知字段 %q / find users: unknown field %q", field, field)
	}
	cur, err := s.db.c("users").Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.User
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// ListUsers returns one page of users ordered by username, and the total.
func (s *UserService) ListUsers(ctx context.Context, f academy.UserFilter) ([]*academy.User, int, error) {
	filter := bson.M{}
	if f.Site != "" {
		filter["sites"] = f.Site
	}
	if f.Role != "" {
		filter["roles"] = f.Role
	}
	if f.Query != "" {
		re := bson.Regex{Pattern: regexp.QuoteMeta(f.Query), Options: "i"}
		filter["$or"] = bson.A{bson.M{"_id": re}, bson.M{"display_name": re}, bson.M{"employee_no": re}}
	}
	total, err := s.db.c("users").CountDocuments(ctx, filter)
	if err != nil {
		return nil, 0, FormatError(err)
	}
	off, lim := academy.ClampPage(f.Offset, f.Limit)
	cur, err := s.db.c("users").Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetSkip(int64(off)).SetLimit(int64(lim)))
	if err != nil {
		return nil, 0, FormatError(err)
	}
	var out []*academy.User
	if err := cur.All(ctx, &out); err != nil {
		return nil, 0, FormatError(err)
	}
	return out, int(total), nil
}

// ListUsersOn reads the accounts on any of sites, by username.
func (s *UserService) ListUsersOn(ctx context.Context, sites []string, role string) ([]*academy.User, error) {
	filter := bson.M{"sites": bson.M{"$in": sites}}
	if role != "" {
		filter["roles"] = role
	}
	cur, err := s.db.c("users").Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, FormatError(err)
	}
	var out []*academy.User
	if err := cur.All(ctx, &out); err != nil {
		return nil, FormatError(err)
	}
	return out, nil
}

// UpdateUser sets the non-nil fields of upd and returns the new user. An
// empty optional field is removed rather than stored empty: the employee
// number's sparse unique index counts only present numbers.
func (s *UserService) UpdateUser(ctx context.Context, username string, upd academy.UserUpdate) (*academy.User, error) {
	set, unset := bson.M{"updated_at": s.db.Now()}, bson.M{}
	for key, v := range map[string]*string{
		"display_name": upd.DisplayName, "status": upd.Status, "lang": upd.Lang,
	} {
		if v != nil {
			set[key] = *v
		}
	}
	optional := map[string]*string{
		"legal_name": upd.LegalName, "employee_no": upd.EmployeeNo, "phone": upd.Phone, "email": upd.Email,
		"department": upd.Department, "position": upd.Position,
	}
	for key, d := range map[string]*academy.Date{"hire_date": upd.HireDate, "leave_date": upd.LeaveDate} {
		if d != nil {
			v := string(*d)
			optional[key] = &v
		}
	}
	for key, v := range optional {
		switch {
		case v == nil:
		case *v == "":
			unset[key] = ""
		default:
			set[key] = *v
		}
	}
	if upd.Roles != nil {
		set["roles"] = upd.Roles
	}
	if upd.Sites != nil {
		set["sites"] = upd.Sites
	}
	change := bson.M{"$set": set}
	if len(unset) > 0 {
		change["$unset"] = unset
	}
	var u academy.User
	err := s.db.c("users").FindOneAndUpdate(ctx, bson.M{"_id": academy.UserID(username)}, change,
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&u)
	if err != nil {
		// The embedded store reports a unique index refusing an update
		// as an internal error, not a duplicate key, so any failed write
		// of a number someone else holds is explained as that conflict.
		if upd.EmployeeNo != nil {
			if taken := s.employeeNoTaken(ctx, academy.UserID(username), *upd.EmployeeNo); taken != nil {
				return nil, taken
			}
		}
		err = FormatError(err)
		if academy.ErrorCode(err) == academy.ENOTFOUND {
			return nil, academy.UserNotFound(username)
		}
		return nil, err
	}
	return &u, nil
}

// SetPasswordHash replaces a user's password hash.
func (s *UserService) SetPasswordHash(ctx context.Context, username, hash string) error {
	res, err := s.db.c("users").UpdateOne(ctx, bson.M{"_id": academy.UserID(username)},
		bson.M{"$set": bson.M{"password_hash": hash, "updated_at": s.db.Now()}})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.UserNotFound(username)
	}
	return nil
}

// SetCertGrants replaces the roles a user holds by certificate.
func (s *UserService) SetCertGrants(ctx context.Context, username string, grants []academy.CertGrant) error {
	res, err := s.db.c("users").UpdateOne(ctx, bson.M{"_id": academy.UserID(username)},
		bson.M{"$set": bson.M{"cert_grants": grants, "updated_at": s.db.Now()}})
	if err != nil {
		return FormatError(err)
	}
	if res.MatchedCount == 0 {
		return academy.UserNotFound(username)
	}
	return nil
}
