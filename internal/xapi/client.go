package xapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// defaultHTTP is used when Client.HTTP is nil; unlike http.DefaultClient it
// gives up on an LRS that never answers.
var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// Client posts statements to an LRS.
type Client struct {
	Endpoint           string // e.g. https://lrs.example/xapi/ ; statements go to Endpoint + "statements"
	Username, Password string // HTTP Basic
	HTTP               *http.Client
}

// StatusError is the error Send returns when the LRS answers with a status
// other than 2xx.
type StatusError struct {
	StatusCode int
	Body       string // the start of the response body, for the log
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("xapi: LRS answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// Send POSTs a batch (JSON array) with X-Experience-API-Version: 1.0.3; any
// non-2xx is an error (a *StatusError) that includes the status.
func (c *Client) Send(ctx context.Context, batch []Statement) error {
	if len(batch) == 0 {
		return nil
	}
	body, err := json.Marshal(batch)
	if err != nil {
		return fmt.Errorf("xapi: encode statements: %w", err)
	}
	endpoint := c.Endpoint
	if !strings.HasSuffix(endpoint, "/") {
		endpoint += "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"statements", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("xapi: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Experience-API-Version", Version)
	if c.Username != "" || c.Password != "" {
		req.SetBasicAuth(c.Username, c.Password)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("xapi: post statements: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		// Drain so the connection can be reused; the ids echoed back are ours.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return &StatusError{StatusCode: resp.StatusCode, Body: strings.TrimSpace(string(b))}
}
