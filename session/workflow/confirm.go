package workflow

import (
	"context"
	"errors"
	"time"
)

// Question is what the human is asked before a start: the impact warning, bound to the
// single-use confirmation token issued with it.
type Question struct {
	SessionID  string
	TemplateID string
	// Warning is the impact warning (ImpactWarning), to be shown to the human verbatim.
	Warning string
	DryRun  bool
	// Token is the confirmation the answer is bound to; it lapses at ExpiresAt.
	Token     string
	ExpiresAt time.Time
}

// Reply is how the human answered a Question.
type Reply string

// The human's replies. Anything but ReplyAccepted starts nothing.
const (
	ReplyAccepted  Reply = "accepted"
	ReplyDeclined  Reply = "declined"
	ReplyCancelled Reply = "cancelled"
)

// Answer is the human's reply to a Question asked by an Asker.
type Answer struct {
	Reply Reply
	// Via names what asked the human: the start is recorded as confirmed by
	// "human via <Via>" (e.g. "MCP elicitation").
	Via string
	// Detail is the transport's own account of the reply, recorded when it is not a yes
	// (e.g. "elicitation decline, confirm=false").
	Detail string
}

// Asker asks the human directly, through the transport's own confirmation prompt (the MCP
// client's elicitation), instead of having them type the confirmation token back. The
// engine never confirms on the human's behalf: only ReplyAccepted starts.
type Asker interface {
	// Ask poses q to the human. A transport whose answer arrives with a later request
	// (MCP's multi round-trip) returns ErrAnswerLater; that request then calls
	// ConfirmStart with q.Token and the Answer.
	Ask(ctx context.Context, q Question) (Answer, error)
}

// ErrAnswerLater is returned by an Asker whose transport brings the human's answer back
// on a later request.
var ErrAnswerLater = errors.New("the human's answer comes back with a later request")

// Confirmation is the human's go for a start: the token they typed back (Answer nil), or
// their Answer to an Asker's question together with the token that question carried.
type Confirmation struct {
	Token  string
	DryRun bool
	Answer *Answer
}

// confirmedBy is who confirmed, as recorded in the run and the timeline.
func (c Confirmation) confirmedBy() string {
	if c.Answer == nil {
		return "human via confirmation token"
	}
	via := c.Answer.Via
	if via == "" {
		via = "confirmation prompt"
	}
	return "human via " + via
}

// detail is the reply's account for the record.
func (a Answer) detail() string {
	if a.Detail != "" {
		return a.Detail
	}
	return string(a.Reply)
}
