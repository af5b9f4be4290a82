package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/academy/academy/internal/academy"
)

// decodeJSON reads a JSON object body into v, refusing unknown fields and
// trailing data, and turns every decoding problem into an EINVALID that names
// the field.
func decodeJSON(c *fiber.Ctx, v any) error {
	if ct := c.Get(fiber.HeaderContentType); !strings.HasPrefix(ct, fiber.MIMEApplicationJSON) {
		return academy.Errorf(academy.EINVALID, "Content-Type 须为 application/json / Content-Type must be application/json")
	}
	// The decoder would quietly turn invalid bytes into U+FFFD, storing
	// something other than what was sent.
	if !utf8.Valid(c.BodyRaw()) {
		return academy.Errorf(academy.EINVALID, "body: 不是有效的 UTF-8 / not valid UTF-8 (JSON is UTF-8 text)")
	}
	dec := json.NewDecoder(bytes.NewReader(c.BodyRaw()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return academy.Errorf(academy.EINVALID, "body: JSON 对象之后还有多余内容 / unexpected data after the JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return academy.Errorf(academy.EINVALID, "body: 请求体为空，须为 JSON 对象 / empty; a JSON object is required")
	case errors.As(err, &syn):
		return academy.Errorf(academy.EINVALID, "body: JSON 格式错误，位于第 %d 字节 / malformed JSON at byte %d", syn.Offset, syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return academy.Errorf(academy.EINVALID, "body: 须为 JSON 对象 / must be a JSON object")
		}
		return academy.Errorf(academy.EINVALID, "%s: 值的类型不对 / must be %s, not %s", field, typeName(typ.Type.Kind().String()), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return academy.Errorf(academy.EINVALID, "%s: 未知字段 / unknown field", strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return academy.Errorf(academy.EINVALID, "body: JSON 不完整 / truncated JSON")
	}
	// The decoder's own words are English: the Chinese half says what
	// they are about.
	return academy.Errorf(academy.EINVALID, "body: 请求体不是可读取的 JSON / %s", err.Error())
}

func typeName(kind string) string {
	switch kind {
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "int", "int64":
		return "a whole number"
	}
	return fmt.Sprintf("a %s", kind)
}
