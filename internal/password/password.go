// Package password hashes passwords with argon2id.
package password

import (
	"github.com/alexedwards/argon2id"

	"github.com/academy/academy/internal/academy"
)

// Hasher implements academy.PasswordHasher with argon2id.
type Hasher struct {
	params *argon2id.Params
}

var _ academy.PasswordHasher = (*Hasher)(nil)

// New returns a hasher with OWASP's recommended minimum for argon2id
// (19 MiB, 2 passes, 1 lane): strong enough offline, cheap enough that a
// burst of logins does not exhaust a small server's memory.
func New() *Hasher {
	return &Hasher{params: &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}}
}

// NewFast returns a deliberately weak hasher for tests, where thousands of
// hashes would otherwise dominate the run time.
func NewFast() *Hasher {
	return &Hasher{params: &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}
}

// Hash returns the encoded hash of pw, salt and parameters included.
func (h *Hasher) Hash(pw string) (string, error) { return argon2id.CreateHash(pw, h.params) }

// Verify reports whether pw matches hash; the parameters come from the hash,
// so hashes made with other costs keep working.
func (h *Hasher) Verify(pw, hash string) (bool, error) {
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	if err != nil {
		return false, academy.Errorf(academy.EINTERNAL, "stored password hash is unreadable")
	}
	return ok, nil
}
