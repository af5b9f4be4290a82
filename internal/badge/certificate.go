package badge

import (
	"cmp"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/academy/academy/internal/academy"
)

// Certificates signs the academy's certificates as Open Badges and
// publishes their revocation lists under Base (the server's public URL).
type Certificates struct {
	Issuer *Issuer
	Base   string
}

var _ academy.CredentialSigner = (*Certificates)(nil)

// StatusListURL is where revocation list number list is published.
func (s *Certificates) StatusListURL(list int) string {
	return strings.TrimRight(s.Base, "/") + "/credentials/status/" + strconv.Itoa(list)
}

// SignCertificate makes the credential of c: the holder's legal name, the
// program as the achievement (its id is the program's public page), and
// criteria that list what the program required in Chinese and English.
func (s *Certificates) SignCertificate(c *academy.Certificate, p *academy.Program, w academy.Wording, now time.Time) ([]byte, error) {
	base := strings.TrimRight(s.Base, "/")
	a := Award{
		ID: base + "/verify/" + c.Number, Number: c.Number, HolderName: c.Holder,
		AchievementID: base + "/programs/" + url.PathEscape(c.Program), Achievement: c.ProgramName,
		Description: cmp.Or(strings.TrimSpace(p.Description), c.ProgramName),
		Criteria:    w.DetailZH + "\n\n" + w.DetailEN,
		ValidFrom:   c.IssuedAt, ValidUntil: c.ExpiresAt,
	}
	if c.StatusIndex > 0 {
		list := c.StatusIndex/academy.StatusListSize + 1
		a.StatusListCredential, a.StatusListIndex = s.StatusListURL(list), c.StatusIndex%academy.StatusListSize
	}
	return s.Issuer.Issue(a, now)
}

// SignStatusList signs list number list with the revoked places it holds.
func (s *Certificates) SignStatusList(list int, revoked []int, now time.Time) ([]byte, error) {
	var in []int
	for _, i := range revoked {
		if i/academy.StatusListSize+1 == list {
			in = append(in, i%academy.StatusListSize)
		}
	}
	return s.Issuer.StatusList(s.StatusListURL(list), in, now)
}
