package academy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/academy/academy/internal/phrase"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Question types.
const (
	QSingle    = "single"
	QMultiple  = "multiple"
	QTrueFalse = "truefalse"
	QFill      = "fill"
	QOrdering  = "ordering"
	QMatching  = "matching"
	QNumeric   = "numeric"
)

// QuestionTypes lists every question type.
var QuestionTypes = []string{QSingle, QMultiple, QTrueFalse, QFill, QOrdering, QMatching, QNumeric}

// Review policies: what a learner sees after submitting, each level
// including the ones before it.
const (
	ReviewScore        = "score"
	ReviewCorrectness  = "correctness"
	ReviewAnswers      = "answers"
	ReviewExplanations = "explanations"
)

// ReviewPolicies lists the policies from least to most revealing.
var ReviewPolicies = []string{ReviewScore, ReviewCorrectness, ReviewAnswers, ReviewExplanations}

// Layouts of the attempt page.
const (
	LayoutOnePage     = "one_page"
	LayoutPerQuestion = "per_question"
)

// Quiz is a question bank with the rules of taking it.
type Quiz struct {
	Slug             string        `json:"slug" bson:"_id"`
	Title            string        `json:"title" bson:"title"`
	Course           string        `json:"course,omitempty" bson:"course,omitempty"`
	PassMark         int           `json:"pass_mark" bson:"pass_mark"`
	TimeLimit        time.Duration `json:"time_limit" bson:"time_limit"`
	MaxAttempts      int           `json:"max_attempts" bson:"max_attempts"`
	Cooldown         time.Duration `json:"cooldown" bson:"cooldown"`
	ShuffleQuestions bool          `json:"shuffle_questions" bson:"shuffle_questions"`
	ShuffleOptions   bool          `json:"shuffle_options" bson:"shuffle_options"`
	Layout           string        `json:"layout" bson:"layout"`
	Review           string        `json:"review" bson:"review"`
	Draw             []DrawRule    `json:"draw,omitempty" bson:"draw,omitempty"`
	Questions        []Question    `json:"-" bson:"questions"`
	Status           string        `json:"status" bson:"status"`
	Revision         int           `json:"revision" bson:"revision"`
	Hash             string        `json:"-" bson:"hash"`
	SourceHash       string        `json:"-" bson:"source_hash"`
	UpdatedAt        time.Time     `json:"updated_at" bson:"updated_at"`
	UpdatedBy        string        `json:"updated_by" bson:"updated_by"`
}

// DrawRule takes Count random questions from a pool: the questions of Quiz
// (this quiz when empty), only those tagged Tag when it is set.
type DrawRule struct {
	Quiz  string `json:"quiz,omitempty" bson:"quiz,omitempty" yaml:"quiz"`
	Tag   string `json:"tag,omitempty" bson:"tag,omitempty" yaml:"tag"`
	Count int    `json:"count" bson:"count" yaml:"count"`
}

// Option is a choice, an item to order, or a matching target.
type Option struct {
	ID   string `json:"id" bson:"id" yaml:"id"`
	Text string `json:"text" bson:"text" yaml:"text"`
}

// Question is one item of a bank. Its answer key never leaves the server
// before the review policy allows.
type Question struct {
	ID          string   `bson:"id"`
	Type        string   `bson:"type"`
	Points      float64  `bson:"points"`
	Tags        []string `bson:"tags,omitempty"`
	Lesson      string   `bson:"lesson,omitempty"`
	Prompt      string   `bson:"prompt"`
	Explanation string   `bson:"explanation"`
	Options     []Option `bson:"options,omitempty"`
	Items       []Option `bson:"items,omitempty"` // matching: the left side
	Key         Key      `bson:"key"`
}

// Key is the answer key; which fields are used depends on the type.
type Key struct {
	Choice    string            `bson:"choice,omitempty"`    // single
	Choices   []string          `bson:"choices,omitempty"`   // multiple
	Bool      bool              `bson:"bool,omitempty"`      // truefalse
	Texts     []string          `bson:"texts,omitempty"`     // fill: accepted answers
	Order     []string          `bson:"order,omitempty"`     // ordering
	Pairs     map[string]string `bson:"pairs,omitempty"`     // matching: item -> option
	Value     float64           `bson:"value,omitempty"`     // numeric
	Tolerance float64           `bson:"tolerance,omitempty"` // numeric
}

// Version is a digest of the question's content; an attempt records it so
// that later edits of the bank are visible in item analysis.
func (q *Question) Version() string {
	b, _ := json.Marshal(q) // plain data: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// Option returns the option with id, or nil.
func (q *Question) Option(id string) *Option {
	for i := range q.Options {
		if q.Options[i].ID == id {
			return &q.Options[i]
		}
	}
	return nil
}

// Validate checks a question; messages start with the field.
func (q *Question) Validate() error {
	if err := CheckIdent(IdentQuestion, "id", q.ID); err != nil {
		return err
	}
	if !slices.Contains(QuestionTypes, q.Type) {
		return Errorf(EINVALID, "type: %q 不是题型（%s） / %q is not a question type (%s)", q.Type, strings.Join(QuestionTypes, ", "), q.Type, strings.Join(QuestionTypes, ", "))
	}
	if q.Points <= 0 || q.Points > 100 {
		return Errorf(EINVALID, "points: 须大于 0 且不超过 100 / must be more than 0 and at most 100")
	}
	if strings.TrimSpace(q.Prompt) == "" {
		return Errorf(EINVALID, "prompt: 请填写题干 / required")
	}
	if strings.TrimSpace(q.Explanation) == "" {
		return Errorf(EINVALID, "explanation: 请填写解析（说明正确答案为什么正确） / required (say why the right answer is right)")
	}
	if err := CheckText("prompt", q.Prompt, 4000, true); err != nil {
		return err
	}
	if err := CheckText("explanation", q.Explanation, 4000, true); err != nil {
		return err
	}
	ids := func(opts []Option, what string) (map[string]bool, error) {
		m := map[string]bool{}
		for _, o := range opts {
			if strings.TrimSpace(o.ID) == "" || strings.TrimSpace(o.Text) == "" || strings.ContainsAny(o.ID, ". $") {
				return nil, Errorf(EINVALID, "%s: 每一项都要有编号（不含空格、“.”或“$”）和文字 / every entry needs an id (no spaces, '.' or '$') and a text", what)
			}
			if err := CheckText(what+"."+o.ID, o.Text, 500, false); err != nil {
				return nil, err
			}
			if m[o.ID] {
				return nil, Errorf(EINVALID, "%s: 编号 %q 重复 / duplicate id %q", what, o.ID, o.ID)
			}
			m[o.ID] = true
		}
		return m, nil
	}
	opts, err := ids(q.Options, "options")
	if err != nil {
		return err
	}
	needOptions := func(n int) error {
		if len(q.Options) < n {
			return Errorf(EINVALID, "options: %s 类型的题目至少需要 %d 个选项 / a %s question needs at least %d options", q.Type, n, q.Type, n)
		}
		return nil
	}
	noOptions := func() error {
		if len(q.Options) > 0 || len(q.Items) > 0 {
			return Errorf(EINVALID, "options: %s 类型的题目没有选项 / a %s question has no options", q.Type, q.Type)
		}
		return nil
	}
	switch q.Type {
	case QSingle:
		if err := needOptions(2); err != nil {
			return err
		}
		if !opts[q.Key.Choice] {
			return Errorf(EINVALID, "answer: %q 不在选项之中 / %q is not among the options", q.Key.Choice, q.Key.Choice)
		}
	case QMultiple:
		if err := needOptions(2); err != nil {
			return err
		}
		if len(q.Key.Choices) == 0 {
			return Errorf(EINVALID, "answer: 请至少列出一个正确选项 / list at least one correct option")
		}
		seen := map[string]bool{}
		for _, c := range q.Key.Choices {
			if !opts[c] {
				return Errorf(EINVALID, "answer: %q 不在选项之中 / %q is not among the options", c, c)
			}
			if seen[c] {
				return Errorf(EINVALID, "answer: %q 列出了两次 / %q is listed twice", c, c)
			}
			seen[c] = true
		}
	case QTrueFalse:
		if err := noOptions(); err != nil {
			return err
		}
	case QFill:
		if err := noOptions(); err != nil {
			return err
		}
		if len(q.Key.Texts) == 0 {
			return Errorf(EINVALID, "answer: 请列出可接受的答案 / list the accepted answers")
		}
		for _, t := range q.Key.Texts {
			if fillAnswer(t) == "" {
				return Errorf(EINVALID, "answer: 有一个可接受的答案是空的或只有标点 / an accepted answer is empty or only punctuation")
			}
		}
	case QOrdering:
		if err := needOptions(2); err != nil {
			return err
		}
		if !isPermutation(q.Key.Order, opts) {
			return Errorf(EINVALID, "answer: 须按正确顺序列出每个选项编号，每个恰好一次 / must list every option id exactly once, in the right order")
		}
	case QMatching:
		if err := needOptions(2); err != nil {
			return err
		}
		items, err := ids(q.Items, "items")
		if err != nil {
			return err
		}
		if len(items) < 2 {
			return Errorf(EINVALID, "items: 配对题至少需要 2 项 / a matching question needs at least 2 items")
		}
		for it := range items {
			o, ok := q.Key.Pairs[it]
			if !ok {
				return Errorf(EINVALID, "answer: 项 %q 没有配对 / item %q has no match", it, it)
			}
			if !opts[o] {
				return Errorf(EINVALID, "answer: 项 %q 配对的 %q 不在选项之中 / item %q is matched to %q, which is not among the options", it, o, it, o)
			}
		}
		for it := range q.Key.Pairs {
			if !items[it] {
				return Errorf(EINVALID, "answer: %q 不是题中的项 / %q is not an item", it, it)
			}
		}
	case QNumeric:
		if err := noOptions(); err != nil {
			return err
		}
		// Written so that NaN fails too: no answer is ever within NaN.
		if !(q.Key.Tolerance >= 0) || math.IsInf(q.Key.Tolerance, 0) || math.IsNaN(q.Key.Value) || math.IsInf(q.Key.Value, 0) {
			return Errorf(EINVALID, "answer: 数值题需要答案值和不小于 0 的误差范围 / numeric answers need a value and a tolerance of 0 or more")
		}
	}
	return nil
}

func isPermutation(order []string, opts map[string]bool) bool {
	if len(order) != len(opts) {
		return false
	}
	seen := map[string]bool{}
	for _, id := range order {
		if !opts[id] || seen[id] {
			return false
		}
		seen[id] = true
	}
	return true
}

// Question returns the bank's question with id, or nil.
func (q *Quiz) Question(id string) *Question {
	for i := range q.Questions {
		if q.Questions[i].ID == id {
			return &q.Questions[i]
		}
	}
	return nil
}

// Validate checks a quiz on its own; pools of other quizzes are checked by
// CheckDraws.
func (q *Quiz) Validate() error {
	if !ValidSlug(q.Slug) {
		return Errorf(EINVALID, "slug: 标识 %q 须为 2–64 个小写字母、数字或“-” / %q must be 2–64 lowercase letters, digits or '-'", q.Slug, q.Slug)
	}
	if strings.TrimSpace(q.Title) == "" {
		return Errorf(EINVALID, "title: 请填写标题 / required")
	}
	if err := CheckText("title", q.Title, 100, false); err != nil {
		return err
	}
	if q.PassMark < 0 || q.PassMark > 100 {
		return Errorf(EINVALID, "pass_mark: 及格线须为 0 到 100 的百分比，不能是 %d / must be a percentage from 0 to 100, not %d", q.PassMark, q.PassMark)
	}
	if q.TimeLimit < 0 || q.Cooldown < 0 || q.MaxAttempts < 0 {
		return Errorf(EINVALID, "答题时限、间隔时间和答题次数不能为负数 / time_limit, cooldown and max_attempts cannot be negative")
	}
	if q.Layout != LayoutOnePage && q.Layout != LayoutPerQuestion {
		return Errorf(EINVALID, "layout: %q 不是 %s 或 %s / %q is not %s or %s", q.Layout, LayoutOnePage, LayoutPerQuestion, q.Layout, LayoutOnePage, LayoutPerQuestion)
	}
	if !slices.Contains(ReviewPolicies, q.Review) {
		return Errorf(EINVALID, "review: %q 不在 %s 之中 / %q is not one of %s", q.Review, strings.Join(ReviewPolicies, ", "), q.Review, strings.Join(ReviewPolicies, ", "))
	}
	if len(q.Questions) == 0 && len(q.Draw) == 0 {
		return Errorf(EINVALID, "questions: 测验需要题目或抽题规则 / a quiz needs questions or draw rules")
	}
	seen := map[string]bool{}
	for i := range q.Questions {
		qq := &q.Questions[i]
		if err := qq.Validate(); err != nil {
			return Errorf(EINVALID, "questions[%s]: %s", qq.ID, ErrorMessage(err))
		}
		if seen[qq.ID] {
			return Errorf(EINVALID, "questions: 题目编号 %q 重复 / duplicate id %q", qq.ID, qq.ID)
		}
		seen[qq.ID] = true
	}
	for _, d := range q.Draw {
		if d.Count <= 0 {
			return Errorf(EINVALID, "draw: 抽题数量须为正数 / count must be positive")
		}
	}
	return nil
}

// Pool returns the questions a draw rule picks from.
func (d DrawRule) Pool(self *Quiz, all map[string]*Quiz) []Question {
	src := self
	if d.Quiz != "" && d.Quiz != self.Slug {
		src = all[d.Quiz]
	}
	if src == nil {
		return nil
	}
	var out []Question
	for _, q := range src.Questions {
		if d.Tag == "" || slices.Contains(q.Tags, d.Tag) {
			out = append(out, q)
		}
	}
	return out
}

// CheckDraws reports draw rules whose pool is unknown or too small, and
// questions that two rules could both draw (an attempt would repeat them).
func CheckDraws(q *Quiz, all map[string]*Quiz) error {
	for _, d := range q.Draw {
		if d.Quiz != "" && d.Quiz != q.Slug && all[d.Quiz] == nil {
			return Errorf(EINVALID, "draw: 没有测验 %q / unknown quiz %q", d.Quiz, d.Quiz)
		}
		if n := len(d.Pool(q, all)); n < d.Count {
			return Errorf(EINVALID, "draw: 题库 %s 只有 %d 道题，少于要抽取的 %d 道 / the pool %s has %d questions, fewer than the %d to draw", d.describe(q), n, d.Count, d.describe(q), n, d.Count)
		}
	}
	return nil
}

func (d DrawRule) describe(self *Quiz) string {
	s := d.Quiz
	if s == "" {
		s = self.Slug
	}
	if d.Tag != "" {
		s += " tagged " + d.Tag
	}
	return s
}

// ContentHash digests what the quiz asks and its rules, not file layout.
func (q *Quiz) ContentHash() string {
	v := *q
	v.Status, v.Revision, v.Hash, v.SourceHash, v.UpdatedAt, v.UpdatedBy = "", 0, "", "", time.Time{}, ""
	b, _ := json.Marshal(v)
	qb, _ := json.Marshal(q.Questions)
	sum := sha256.Sum256(append(b, qb...))
	return hex.EncodeToString(sum[:16])
}

// Response is a learner's answer to one question; which field is used
// depends on the type.
type Response struct {
	Choice  string            `json:"choice,omitempty" bson:"choice,omitempty"`
	Choices []string          `json:"choices,omitempty" bson:"choices,omitempty"`
	Bool    *bool             `json:"bool,omitempty" bson:"bool,omitempty"`
	Text    string            `json:"text,omitempty" bson:"text,omitempty"`
	Order   []string          `json:"order,omitempty" bson:"order,omitempty"`
	Pairs   map[string]string `json:"pairs,omitempty" bson:"pairs,omitempty"`
	Number  *float64          `json:"number,omitempty" bson:"number,omitempty"`
}

// Blank reports whether r carries no answer: what a form or the autosave
// sends for a question left empty or cleared. It grades as unanswered.
func (r *Response) Blank() bool {
	return r.Choice == "" && len(r.Choices) == 0 && r.Bool == nil && strings.TrimSpace(r.Text) == "" &&
		!slices.ContainsFunc(r.Order, func(s string) bool { return s != "" }) && len(r.Pairs) == 0 && r.Number == nil
}

// NormalizeText prepares fill-in answers for comparison as the reply
// checker reads them: width, case and spaces folded, numerals and
// durations read, so "24 小时", "一天" and "24h" match.
func NormalizeText(s string) string { return phrase.New(nil).Normalize(s) }

// fillAnswer is the form a typed answer is compared in: people end an
// answer as they end a sentence ("5年。", "119！") or quote it, so
// punctuation around it does not count; inside it does ("1.5年").
func fillAnswer(s string) string {
	return strings.TrimFunc(NormalizeText(s), unicode.IsPunct)
}

// Grade scores a response: the points earned and whether it is fully
// correct. Partial credit:
//   - multiple: each correct option chosen earns points/#correct, each wrong
//     option chosen takes the same away, never below zero;
//   - ordering: the share of adjacent pairs in the right order;
//   - matching: the share of items matched right;
//   - every other type: all or nothing.
func Grade(q *Question, r *Response) (float64, bool) {
	if r == nil {
		return 0, false
	}
	full := q.Points
	switch q.Type {
	case QSingle:
		if r.Choice == q.Key.Choice {
			return full, true
		}
	case QTrueFalse:
		if r.Bool != nil && *r.Bool == q.Key.Bool {
			return full, true
		}
	case QFill:
		got := fillAnswer(r.Text)
		for _, t := range q.Key.Texts {
			if got != "" && got == fillAnswer(t) {
				return full, true
			}
		}
	case QNumeric:
		if r.Number != nil && math.Abs(*r.Number-q.Key.Value) <= q.Key.Tolerance+1e-9 {
			return full, true
		}
	case QMultiple:
		per := full / float64(len(q.Key.Choices))
		score := 0.0
		for _, c := range uniq(r.Choices) {
			if slices.Contains(q.Key.Choices, c) {
				score += per
			} else {
				score -= per
			}
		}
		score = max(0, score)
		correct := len(uniq(r.Choices)) == len(q.Key.Choices) && score >= full-1e-9
		return round2(score), correct
	case QOrdering:
		pos := map[string]int{}
		for i, id := range r.Order {
			pos[id] = i
		}
		if len(r.Order) != len(q.Key.Order) || len(pos) != len(r.Order) {
			return 0, false
		}
		pairs, right := len(q.Key.Order)-1, 0
		for i := 0; i < pairs; i++ {
			a, aok := pos[q.Key.Order[i]]
			b, bok := pos[q.Key.Order[i+1]]
			if aok && bok && b == a+1 {
				right++
			}
		}
		return round2(full * float64(right) / float64(pairs)), right == pairs
	case QMatching:
		right := 0
		for it, o := range q.Key.Pairs {
			if r.Pairs[it] == o {
				right++
			}
		}
		return round2(full * float64(right) / float64(len(q.Key.Pairs))), right == len(q.Key.Pairs)
	}
	return 0, false
}

func uniq(s []string) []string {
	out := []string{}
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// MaxFillAnswer is the longest fill-in answer kept, in characters: blanks
// are filled with a word or a short phrase, and every saved answer is kept
// in the attempt and graded.
const MaxFillAnswer = 200

// CheckResponse checks that a response has the shape its question needs:
// only the field of its type, naming only options the question has, each
// once, and no more of them than the question offers. The bounds keep an
// attempt, which holds every answer, as small as the quiz it answers.
func CheckResponse(q *Question, r *Response) error {
	// bad's format is bilingual too: the field goes before both halves.
	bad := func(format string, args ...any) error {
		return Errorf(EINVALID, "answers.%s: %s", q.ID, fmt.Sprintf(format, args...))
	}
	// Only the type's own field may be set; zero it in a copy and the
	// rest must be empty.
	rest := *r
	switch q.Type {
	case QSingle:
		rest.Choice = ""
	case QMultiple:
		rest.Choices = nil
	case QTrueFalse:
		rest.Bool = nil
	case QFill:
		rest.Text = ""
	case QOrdering:
		rest.Order = nil
	case QMatching:
		rest.Pairs = nil
	case QNumeric:
		rest.Number = nil
	}
	if rest.Choice != "" || rest.Choices != nil || rest.Bool != nil || rest.Text != "" || rest.Order != nil || rest.Pairs != nil || rest.Number != nil {
		return bad("只能给出 %s 类型题目的答案 / only the answer of a %s question may be given", q.Type, q.Type)
	}
	// each checks a list of option ids: known, each at most once.
	each := func(ids []string, whatZh, what string, blankOK bool) error {
		seen := make(map[string]bool, len(ids))
		for _, c := range ids {
			if c == "" && blankOK {
				continue
			}
			if q.Option(c) == nil {
				return bad("%q 不是本题的%s / %q is not %s of this question", c, whatZh, c, what)
			}
			if seen[c] {
				return bad("%q 给了两次，每个%s只算一次 / %q is given twice; each %s counts once", c, whatZh, c, strings.TrimPrefix(what, "an "))
			}
			seen[c] = true
		}
		return nil
	}
	switch q.Type {
	case QSingle:
		if r.Choice != "" && q.Option(r.Choice) == nil {
			return bad("%q 不是本题的选项 / %q is not an option of this question", r.Choice, r.Choice)
		}
	case QMultiple:
		if len(r.Choices) > len(q.Options) {
			return bad("选了 %d 项，本题只有 %d 个选项 / %d choices given; the question has %d options", len(r.Choices), len(q.Options), len(r.Choices), len(q.Options))
		}
		return each(r.Choices, "选项", "an option", false)
	case QOrdering:
		// The whole order, one position per item; "" is a position not yet
		// filled, as the form saves it while the learner works.
		if len(r.Order) != 0 && len(r.Order) != len(q.Options) {
			return bad("排序须列出全部 %d 项，而不是 %d 项 / the order must list the %d items, not %d", len(q.Options), len(r.Order), len(q.Options), len(r.Order))
		}
		return each(r.Order, "项", "an item", true)
	case QMatching:
		for it, o := range r.Pairs {
			if !slices.ContainsFunc(q.Items, func(x Option) bool { return x.ID == it }) {
				return bad("%q 不是本题的项 / %q is not an item of this question", it, it)
			}
			if o != "" && q.Option(o) == nil {
				return bad("%q 不是本题的选项 / %q is not an option of this question", o, o)
			}
		}
	case QFill:
		if err := CheckText("answers."+q.ID, r.Text, MaxFillAnswer, false); err != nil {
			return err
		}
	case QNumeric:
		if r.Number != nil && (math.IsNaN(*r.Number) || math.IsInf(*r.Number, 0)) {
			return bad("不是有限的数 / not a finite number")
		}
	}
	return nil
}

// QuizService stores quizzes.
type QuizService interface {
	FindQuiz(ctx context.Context, slug string) (*Quiz, error)
	ListQuizzes(ctx context.Context) ([]*Quiz, error)
	// SaveQuiz writes q if the stored quiz is at revision prev (0: none).
	SaveQuiz(ctx context.Context, q *Quiz, prev int) error
	SetQuizStatus(ctx context.Context, slug, status string) error
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }
