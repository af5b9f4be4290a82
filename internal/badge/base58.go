package badge

import (
	"errors"
	"strings"
)

// base58btc is the Bitcoin alphabet, which multibase marks with the prefix "z".
const base58btc = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// base58Encode encodes b in base58btc. Leading zero bytes become leading '1's,
// as in Bitcoin; the rest is a plain base conversion (quadratic, which is
// fine for keys and signatures of a few dozen bytes).
func base58Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	var digits []byte // base-58 digits, least significant first
	for _, c := range b[zeros:] {
		carry := int(c)
		for i := range digits {
			carry += int(digits[i]) << 8
			digits[i] = byte(carry % 58)
			carry /= 58
		}
		for carry > 0 {
			digits = append(digits, byte(carry%58))
			carry /= 58
		}
	}
	var sb strings.Builder
	sb.Grow(zeros + len(digits))
	for range zeros {
		sb.WriteByte('1')
	}
	for i := len(digits) - 1; i >= 0; i-- {
		sb.WriteByte(base58btc[digits[i]])
	}
	return sb.String()
}

// base58Decode is the inverse of base58Encode.
func base58Decode(s string) ([]byte, error) {
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	var out []byte // base-256 digits, least significant first
	for i := zeros; i < len(s); i++ {
		carry := strings.IndexByte(base58btc, s[i])
		if carry < 0 {
			return nil, errors.New("badge: invalid base58btc character")
		}
		for j := range out {
			carry += int(out[j]) * 58
			out[j] = byte(carry)
			carry >>= 8
		}
		for carry > 0 {
			out = append(out, byte(carry))
			carry >>= 8
		}
	}
	res := make([]byte, zeros, zeros+len(out))
	for i := len(out) - 1; i >= 0; i-- {
		res = append(res, out[i])
	}
	return res, nil
}
