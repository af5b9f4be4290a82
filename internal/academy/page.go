package academy

// Page limits for listings.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// ClampPage returns an offset and limit within bounds.
func ClampPage(offset, limit int) (int, int) {
	if offset < 0 {
		offset = 0
	}
	if limit <= 0 {
		limit = DefaultPageSize
	}
	if limit > MaxPageSize {
		limit = MaxPageSize
	}
	return offset, limit
}
