package notify

import (
	"context"
	"time"
)

// Delivery states.
const (
	Queued = "queued" // waiting for its next attempt
	Sent   = "sent"   // the channel took it
	Parked = "parked" // the channel refused it for good; an admin may resend it
)

// Channels a delivery can go through (in-app notifications are stored at
// fan-out and have no delivery).
const (
	ChannelEmail = "email"
	ChannelRobot = "robot"
)

// Delivery is one message on one outside channel, rendered for its reader.
type Delivery struct {
	ID      string `json:"id" bson:"_id"` // "<key>/<channel>"
	Key     string `json:"key" bson:"key"`
	Kind    Kind   `json:"kind" bson:"kind"`
	Channel string `json:"channel" bson:"channel"`
	To      string `json:"to,omitempty" bson:"to,omitempty"`     // username; "" for a site robot
	Site    string `json:"site,omitempty" bson:"site,omitempty"` // the robot's site
	Address string `json:"-" bson:"address,omitempty"`           // e-mail address
	Subject string `json:"subject" bson:"subject"`
	Text    string `json:"text" bson:"text"`
	Link    string `json:"link,omitempty" bson:"link,omitempty"`

	State      string    `json:"state" bson:"state"`
	Attempts   int       `json:"attempts" bson:"attempts"`
	NextAt     time.Time `json:"next_at" bson:"next_at"`
	ClaimedBy  string    `json:"-" bson:"claimed_by"`
	ClaimUntil time.Time `json:"-" bson:"claim_until"`
	Reason     string    `json:"reason,omitempty" bson:"reason,omitempty"`
	CreatedAt  time.Time `json:"created_at" bson:"created_at"`
	SentAt     time.Time `json:"sent_at,omitzero" bson:"sent_at,omitempty"`

	// Robot is the site's robot, looked up when the delivery is sent so
	// that its secret is never stored with the delivery.
	Robot *SiteRobot `json:"-" bson:"-"`
}

// Channel sends deliveries of one kind (e-mail, robots). Adapters for the
// mail and robot packages are wired in cmd/academy.
type Channel interface {
	Name() string
	Send(ctx context.Context, d Delivery) error
	// Permanent reports whether err is a refusal a retry cannot fix (a bad
	// address, a bad signature): the delivery is parked.
	Permanent(err error) bool
}

// Notification is an in-app notification.
type Notification struct {
	ID        string    `json:"id" bson:"_id"` // the message's Key
	To        string    `json:"-" bson:"to"`
	Kind      Kind      `json:"kind" bson:"kind"`
	Subject   string    `json:"subject" bson:"subject"`
	Text      string    `json:"text" bson:"text"`
	Link      string    `json:"link,omitempty" bson:"link,omitempty"`
	Read      bool      `json:"read" bson:"read"`
	CreatedAt time.Time `json:"created_at" bson:"created_at"`
}
