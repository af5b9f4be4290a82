package academy

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TrainingCase is a closed live ticket made safe for training: people,
// phones and units replaced consistently, free text scrubbed. It seeds a
// practice scenario.
type TrainingCase struct {
	ID          string    `json:"id" bson:"_id"`
	Site        string    `json:"site" bson:"site"`
	Type        string    `json:"type" bson:"type"`
	Title       string    `json:"title" bson:"title"`
	Description string    `json:"description" bson:"description"`
	Resident    Resident  `json:"resident" bson:"resident"` // the alias
	Unit        Unit      `json:"unit" bson:"unit"`         // the alias
	Events      []Event   `json:"events" bson:"events"`     // times kept relative: At is the offset from creation added to a fixed base 2000-01-03 09:00 local
	Status      string    `json:"status" bson:"status"`     // "draft"
	CreatedBy   string    `json:"created_by" bson:"created_by"`
	CreatedAt   time.Time `json:"created_at" bson:"created_at"`
}

// caseStatusDraft is the status of a new case: a trainer reviews it before
// trainees see it, because no scrubber catches everything.
const caseStatusDraft = "draft"

// Placeholders and aliases that a training case shows instead of real data.
const (
	aliasPhone       = "100-0000-0001" // no real number starts 100
	redactedPhone    = "【电话】"
	redactedIDNumber = "【身份证号】"
	redactedEmail    = "【邮箱】"
	redactedPlate    = "【车牌】"
	redactedCard     = "【银行卡号】"
	redactedWeChat   = "【微信号】"
	redactedRelative = "【姓名】"
	// residentOrdinals name residents 业主甲, 业主乙… in order.
	residentOrdinals = "甲乙丙丁戊己庚辛壬癸"
)

// Tables for reading names in text.
var (
	// honorifics follow a surname when people are addressed politely.
	honorifics = []string{"先生", "女士", "小姐", "阿姨", "师傅", "老师"}
	// compoundSurnames are the two-character surnames common enough to look for.
	compoundSurnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "司徒", "夏侯", "长孙", "宇文", "端木", "西门"}
	// notNameWords end in a character that is also a surname and are often
	// followed by 先生, 师傅…: "对方女士" is not Ms 方, "工程师傅" not Mr 程.
	notNameWords = []string{"对方", "双方", "各方", "一方", "地方", "大方", "东方", "西方", "南方", "北方", "对于", "关于", "由于",
		"至于", "等于", "高于", "低于", "大于", "小于", "多于", "少于", "属于", "位于", "终于", "工程", "园林", "理石"}
)

// Patterns of personal data in free text. Matches that touch further
// digits are left alone (see redact): a 20-digit order number is no phone.
var (
	emailRE    = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	idNumberRE = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)
	mobileRE   = regexp.MustCompile(`(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}`)
	landlineRE = regexp.MustCompile(`(?:\(0\d{2,3}\)|0\d{2,3})[ -]?\d{3,4}[ -]?\d{4}`)
	// digitGroupsRE finds digit groups joined by spaces or dashes, and
	// digitRunRE the groups, to catch the directory's own phone numbers
	// whatever their format.
	digitGroupsRE = regexp.MustCompile(`\d+(?:[ -]\d+)*`)
	digitRunRE    = regexp.MustCompile(`\d+`)
	// cardRE is a candidate bank card: groups of digits, some perhaps
	// masked with * or x by a careful agent, split by single spaces or
	// dashes. Groups have three or more characters so that dates
	// (2026-03-05) never join up; bankCards decides which are cards.
	cardRE = regexp.MustCompile(`[\d*＊xX]{3,}(?:[ -][\d*＊xX]{3,})*`)
	// weChatRE is a WeChat id said as one (微信号：wang_fang88, 加我VX
	// abc12345): the keyword is what tells it from any other word; the id
	// is checked for its form in weChatIDs. wxidRE is the form WeChat
	// gives ids by default, which needs no keyword.
	weChatRE = regexp.MustCompile(`(?i)(微信号?|wechat|weixin|wx|vx|v信)(\s*(?:号|id)?\s*(?:[:：是为]\s*)?)([A-Za-z][A-Za-z0-9_-]*)`)
	// phoneOnlyRE is a whole phone number, which is no card.
	phoneOnlyRE = regexp.MustCompile("^(?:" + mobileRE.String() + "|" + landlineRE.String() + ")$")
	wxidRE      = regexp.MustCompile(`\bwxid_[A-Za-z0-9_-]{4,}`)
	plateRE     = regexp.MustCompile(`[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Za-z]\s?·?\s?[A-Za-z0-9]{5,6}`)
	// dateRE is a full date (2026-03-05, 2026年3月5日, optionally with a
	// time) or a month and day (3月5日).
	dateRE = regexp.MustCompile(`(\d{4})\s*([-/.年])\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[ T]?(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]`)
	// unitMentionRE is a unit label (3栋2单元1202室, 3号楼1202), a unit id
	// (3-2-1202) or a bare number, in one pass so that an alias written for
	// one match is never read again as another.
	unitMentionRE = regexp.MustCompile(`(\d+)\s*(?:栋|幢|号楼)\s*(?:(\d+)\s*单元\s*)?(\d+)(室|号)?|(\d+)-(\d+)-(\d+)|\d+`)
)

// Anonymize turns a ticket into a training case. It refuses open tickets
// (EINVALID "only closed tickets…"): a case is made from a finished story.
//
// The rules:
//   - People. The ticket's resident becomes 业主甲 with the fake phone
//     100-0000-0001 and no id. Other residents of the directory named in the
//     text, by full name or by surname with 先生/女士/小姐/阿姨/师傅/老师,
//     become 业主乙, 业主丙… in order of first appearance, and the same person
//     keeps the same alias in the title, description, event notes and
//     fields. Department members named in the text (or assigned by member
//     id) become 工程部员工A, 保洁部员工A… per department. A surname with an
//     honorific resolves first to the ticket's resident, then to someone
//     already named, then in directory order; 师傅 looks among members
//     first. A common surname with an honorific that matches nobody in the
//     directory (a visitor) becomes 某先生, 某女士….
//   - Staff. Event actors and assignees that are not members become 客服A,
//     客服B… in order of first appearance, also where their usernames occur
//     in text. The system's own events keep the actor "system".
//   - Units. Unit labels in the text (\d+栋(\d+单元)?\d+室?, also 幢 and
//     号楼), directory unit ids (3-2-1202) and bare room numbers of the
//     ticket's own entrance (its own room, or one the directory has there:
//     "楼上1302") are aliased so that their relations survive: buildings
//     become 1栋, 2栋… and entrances 1单元, 2单元… in order of first
//     appearance, the ticket's own first; an entrance's floors count from
//     the lowest one mentioned and a room keeps its position on the floor.
//     So with the ticket at 3栋2单元1202, "楼上1302" becomes "楼上201", "3栋2单元1302"
//     becomes "1栋1单元201" and 5栋1单元601 becomes 2栋1单元101.
//   - Free text (title, description, event notes, every field value) loses
//     e-mail addresses (【邮箱】), ID card numbers (18 digits, the last
//     possibly X, or the old 15; 【身份证号】), then phone numbers (mobiles
//     1[3-9]… with or without spaces or dashes, landlines such as
//     021-12345678 or 0755 1234 5678, and any phone of the directory;
//     【电话】) and car plates (【车牌】). ID numbers go first so that their
//     digits are not taken for a phone, and bank cards (13–19 digits, also
//     split or partly masked; 【银行卡号】) before phones so that a card's
//     tail is not taken for a landline. WeChat ids after 微信/WeChat/wx/VX
//     become 【微信号】, and a name right after a kinship word (我老婆王芳)
//     becomes 【姓名】 unless the directory knows it.
//   - Times. Event times are shifted so that the ticket's creation falls on
//     2000-01-03 09:00 local time; dates and times in text and time fields
//     move by the same amount (dates without a time by whole days), so
//     relative timing survives and real dates do not.
//
// Names the directory does not know, written without an honorific, cannot
// be recognised: the case starts as a draft for a trainer to review.
func Anonymize(t *Ticket, dir *Directory, id, by string, now time.Time) (*TrainingCase, error) {
	if t == nil {
		return nil, Errorf(EINVALID, "ticket: 请选择工单 / required")
	}
	if t.Open() {
		return nil, Errorf(EINVALID, "只有已关闭的工单可以转为培训案例，%s 尚未关闭 / only closed tickets can become training cases; %s is still open", t.Number, t.Number)
	}
	if dir == nil {
		dir = &Directory{}
	}
	a := newAnonymizer(t, dir)
	c := &TrainingCase{ID: id, Site: t.Workspace, Type: t.Type, Status: caseStatusDraft, CreatedBy: by, CreatedAt: now}
	c.Unit = a.subjectUnit()
	c.Resident = a.subjectResident()
	c.Title = a.text(t.Title)
	c.Description = a.text(t.Description)
	c.Events = make([]Event, len(t.Events))
	for i, e := range t.Events {
		c.Events[i] = a.event(e)
	}
	return c, nil
}

// caseBase is when every training case starts: a Monday morning long ago.
// loc is the site's zone, so the base is a Monday morning there.
func caseBase(loc *time.Location) time.Time { return time.Date(2000, 1, 3, 9, 0, 0, 0, loc) }

// personKey is a resident (Directory.Residents[i]) or a member
// (Directory.Members[i]).
type personKey struct {
	member bool
	i      int
}

// unitKey identifies a unit by building, entrance (0: not said) and room.
type unitKey struct{ building, entrance, room int }

// anonymizer holds the aliases of one ticket, so that every mention of the
// same person or unit gets the same one.
type anonymizer struct {
	t   *Ticket
	dir *Directory
	loc *time.Location // the ticket's site's zone: times in the case read as there

	shift    time.Duration // added to every time
	dayShift int           // calendar days from the creation day to the base day
	year     int           // the creation year, for dates written without one

	staff   map[string]string // lower-case username → 客服A
	staffRE *regexp.Regexp    // the usernames, longest first; nil if none

	people    map[personKey]string
	residents int            // residents aliased so far
	members   map[string]int // members aliased so far, per department
	names     map[string]personKey
	longest   int // runes of the longest name
	surnames  map[string][]personKey
	subjectID string // the ticket's resident

	buildings  map[int]int                 // real building → alias
	entrances  map[entranceKey]int         // real entrance → alias entrance in the alias building
	lowest     map[entranceKey]int         // the lowest floor mentioned per entrance
	positions  map[entranceKey]map[int]int // room position on its floor (02 of 1202) → alias position
	subject    unitKey
	hasSubject bool
	room       string           // the ticket's room as written in its label
	unitIDs    map[string]bool  // directory unit ids
	rooms      map[unitKey]bool // directory units
	phones     map[string]bool  // directory phones, digits only
}

func newAnonymizer(t *Ticket, dir *Directory) *anonymizer {
	a := &anonymizer{t: t, dir: dir, loc: t.Location(), staff: map[string]string{}, people: map[personKey]string{}, members: map[string]int{},
		names: map[string]personKey{}, surnames: map[string][]personKey{}, unitIDs: map[string]bool{}, rooms: map[unitKey]bool{},
		buildings: map[int]int{}, entrances: map[entranceKey]int{}, lowest: map[entranceKey]int{}, positions: map[entranceKey]map[int]int{},
		phones: map[string]bool{}, subjectID: t.Resident}
	a.setClock(t)
	a.indexDirectory()
	a.registerSubject()
	a.registerStaff()
	a.scanTicket()
	return a
}

// scanTicket sees every unit the ticket mentions before any is aliased:
// the floors of an alias count from the lowest floor mentioned.
func (a *anonymizer) scanTicket() {
	if r := a.dir.Resident(a.t.Resident); r != nil {
		if k, _, ok := a.unitKeyOf(r.Unit); ok {
			a.see(k)
		}
	}
	a.scanUnits(a.t.Title)
	a.scanUnits(a.t.Description)
	for _, e := range a.t.Events {
		for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
			if k != "assignee" {
				a.scanUnits(e.Fields[k])
			}
		}
		a.scanUnits(e.Note)
	}
}

// setClock computes the shift that puts the ticket's creation on the base.
func (a *anonymizer) setClock(t *Ticket) {
	created := t.CreatedAt
	if created.IsZero() && len(t.Events) > 0 {
		created = t.Events[0].At
	}
	if created.IsZero() {
		created = caseBase(a.loc)
	}
	created = created.In(a.loc)
	base := caseBase(a.loc)
	a.shift = base.Sub(created)
	day := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC) }
	a.dayShift = int(day(base).Sub(day(created)).Hours() / 24)
	a.year = created.Year()
}

// indexDirectory makes the look-up tables of names, surnames, unit ids and
// phones. A full name shared by several people means the ticket's
// resident, else the first resident, else the first member.
func (a *anonymizer) indexDirectory() {
	add := func(name string, p personKey, over func(old personKey) bool) {
		r := []rune(name)
		if len(r) < 2 {
			return
		}
		if old, taken := a.names[name]; taken && !over(old) {
			return
		}
		a.names[name] = p
		a.longest = max(a.longest, len(r))
	}
	never := func(personKey) bool { return false }
	var subject *personKey
	for i, r := range a.dir.Residents {
		p := personKey{i: i}
		a.surnames[surnameOf(r.Name)] = append(a.surnames[surnameOf(r.Name)], p)
		if d := phoneDigits(r.Phone); len(d) >= 7 {
			a.phones[d] = true
		}
		if r.ID == a.subjectID && subject == nil {
			subject = &p
		}
	}
	for i, m := range a.dir.Members {
		p := personKey{member: true, i: i}
		a.surnames[surnameOf(m.Name)] = append(a.surnames[surnameOf(m.Name)], p)
		add(m.Name, p, never)
	}
	for i, r := range a.dir.Residents {
		add(r.Name, personKey{i: i}, func(old personKey) bool { return old.member })
	}
	if subject != nil {
		add(a.dir.Residents[subject.i].Name, *subject, func(personKey) bool { return true })
	}
	for _, u := range a.dir.Units {
		a.unitIDs[u.ID] = true
		if k, _, ok := a.unitKeyOf(u.ID); ok {
			a.rooms[k] = true
		}
	}
}

// registerSubject reserves the first aliases for the ticket's own unit and
// resident, whatever the text mentions first.
func (a *anonymizer) registerSubject() {
	unitID := a.t.Unit
	if r := a.dir.Resident(a.t.Resident); unitID == "" && r != nil {
		unitID = r.Unit
	}
	if unitID != "" {
		if k, room, ok := a.unitKeyOf(unitID); ok {
			a.subject, a.hasSubject, a.room = k, true, room
			a.see(k)
		}
	}
	if a.t.Resident != "" {
		a.residents = 1 // 业主甲
		for i, r := range a.dir.Residents {
			if r.ID == a.t.Resident {
				a.people[personKey{i: i}] = residentAlias(0)
				break
			}
		}
	}
}

// registerStaff gives desk users their aliases in order of first
// appearance in the history, so that a username in the title already has
// the alias the history will show.
func (a *anonymizer) registerStaff() {
	for _, e := range a.t.Events {
		a.staffAlias(e.Actor)
		if who := e.Fields["assignee"]; who != "" && a.member(who) < 0 {
			a.staffAlias(who)
		}
	}
	a.staffAlias(a.t.CreatedBy)
	if a.member(a.t.Assignee) < 0 {
		a.staffAlias(a.t.Assignee)
	}
	if len(a.staff) == 0 {
		return
	}
	users := slices.Collect(maps.Keys(a.staff))
	slices.SortFunc(users, func(x, y string) int { return len(y) - len(x) })
	for i := range users {
		users[i] = regexp.QuoteMeta(users[i])
	}
	a.staffRE = regexp.MustCompile(`(?i)(?:` + strings.Join(users, "|") + `)`)
}

// staffAlias returns (and on first sight makes) the alias of a desk user.
func (a *anonymizer) staffAlias(user string) string {
	if user == "" || user == ActorSystem {
		return user
	}
	k := strings.ToLower(user)
	if alias, ok := a.staff[k]; ok {
		return alias
	}
	alias := "客服" + letterAlias(len(a.staff))
	a.staff[k] = alias
	return alias
}

// member returns the index of the member with id, or -1.
func (a *anonymizer) member(id string) int {
	if id == "" {
		return -1
	}
	return slices.IndexFunc(a.dir.Members, func(m Member) bool { return m.ID == id })
}

// subjectUnit is the alias of the ticket's unit (zero if it has none).
func (a *anonymizer) subjectUnit() Unit {
	if !a.hasSubject {
		return Unit{}
	}
	return a.unitAlias(a.subject).Unit
}

// subjectResident is the alias of the ticket's resident (zero if none).
func (a *anonymizer) subjectResident() Resident {
	if a.t.Resident == "" {
		return Resident{}
	}
	alias := Resident{Name: residentAlias(0), Phone: aliasPhone, Role: "owner"}
	if r := a.dir.Resident(a.t.Resident); r != nil {
		alias.Role = r.Role
		if k, _, ok := a.unitKeyOf(r.Unit); ok {
			alias.Unit = a.unitAlias(k).ID
		}
	} else if a.hasSubject {
		alias.Unit = a.unitAlias(a.subject).ID
	}
	return alias
}

// event returns the scrubbed copy of an event. Actor, then fields (by
// name), then note: the order in which aliases are handed out.
func (a *anonymizer) event(e Event) Event {
	out := e
	out.At = a.time(e.At)
	out.Actor = a.staffAlias(e.Actor)
	if e.Fields != nil {
		out.Fields = make(map[string]string, len(e.Fields))
		for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
			out.Fields[k] = a.field(e.Action, k, e.Fields[k])
		}
	}
	out.Note = a.text(e.Note)
	return out
}

// field scrubs a field value: assignees become aliases, time fields move
// with the clock, everything else is free text.
func (a *anonymizer) field(action, name, v string) string {
	if name == "assignee" {
		if i := a.member(v); i >= 0 {
			return a.alias(personKey{member: true, i: i})
		}
		return a.staffAlias(v)
	}
	if FieldKind(a.t.Procedure(), action, name) == FieldTime {
		if at, err := ParseDeskTime(v, a.loc); err == nil {
			return a.time(at).Format("2006-01-02 15:04")
		}
	}
	return a.text(v)
}

func (a *anonymizer) time(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Add(a.shift).In(a.loc)
}

// text scrubs free text. The order matters: contact data first (ID numbers
// before phones), then dates, then usernames, units and names, each in one
// pass so that no alias is scrubbed again.
func (a *anonymizer) text(s string) string {
	if s == "" {
		return s
	}
	s = unitMentionRE.ReplaceAllStringFunc(a.scrub(s), a.unitMention)
	return a.namesIn(s)
}

// scrub removes contact data, moves dates and replaces usernames: what
// text does before units and names.
func (a *anonymizer) scrub(s string) string {
	s = emailRE.ReplaceAllLiteralString(s, redactedEmail)
	s = redact(idNumberRE, s, redactedIDNumber)
	s = bankCards(s)
	s = weChatIDs(s)
	s = redact(mobileRE, s, redactedPhone)
	s = redact(landlineRE, s, redactedPhone)
	s = a.directoryPhones(s)
	s = plateRE.ReplaceAllLiteralString(s, redactedPlate)
	s = dateRE.ReplaceAllStringFunc(s, a.date)
	return a.usernames(s)
}

// redact replaces the matches of re that do not run on into more digits.
func redact(re *regexp.Regexp, s, with string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[0] > 0 && isASCIIDigit(s[m[0]-1]) || m[1] < len(s) && isASCIIDigit(s[m[1]]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(with)
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// bankCards replaces bank card numbers: 13 to 19 digits, whole or split
// into groups, unless they are a phone number. A run counts when it is
// partly masked (6222 **** **** 1234: scrubbed by hand, not enough), when
// it passes the Luhn check every card number passes, or when a card word
// comes just before it; other long numbers (orders, meters) stay.
func bankCards(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range cardRE.FindAllStringIndex(s, -1) {
		if m[0] > 0 && isUsernameByte(s[m[0]-1]) || m[1] < len(s) && isUsernameByte(s[m[1]]) {
			continue
		}
		run := s[m[0]:m[1]]
		if !isBankCard(run, s[:m[0]]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(redactedCard)
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// cardWords said just before a number make it a card or account number.
var cardWords = []string{"卡号", "银行卡", "储蓄卡", "信用卡", "借记卡", "账号", "帐号", "账户", "帐户", "card"}

// isBankCard decides whether run (a cardRE match) is a card number; before
// is the text that precedes it.
func isBankCard(run, before string) bool {
	var digits []byte
	masked := 0
	for _, r := range run {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == ' ' || r == '-':
		default:
			masked++
		}
	}
	if n := len(digits) + masked; n < 13 || n > 19 || len(digits) < 4 {
		return false
	}
	if masked > 0 {
		return true
	}
	if phoneOnlyRE.MatchString(run) {
		return false
	}
	if luhn(digits) {
		return true
	}
	tail := []rune(before)
	tail = tail[max(0, len(tail)-8):]
	for _, w := range cardWords {
		if strings.Contains(strings.ToLower(string(tail)), w) {
			return true
		}
	}
	return false
}

// luhn is the check digit rule of card numbers.
func luhn(digits []byte) bool {
	sum := 0
	for i := range digits {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// weChatIDs replaces WeChat ids: wxid_… anywhere, and a letter followed by
// 5 to 19 letters, digits, _ or - after 微信(号), WeChat, wx or VX.
func weChatIDs(s string) string {
	s = wxidRE.ReplaceAllLiteralString(s, redactedWeChat)
	var b strings.Builder
	last := 0
	for _, m := range weChatRE.FindAllStringSubmatchIndex(s, -1) {
		// "wx" inside a longer word ("twx…") is no keyword.
		if m[2] > 0 && isUsernameByte(s[m[2]-1]) {
			continue
		}
		if n := m[7] - m[6]; n < 6 || n > 20 {
			continue
		}
		b.WriteString(s[last:m[6]])
		b.WriteString(redactedWeChat)
		last = m[7]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// directoryPhones catches the directory's phone numbers in formats the
// patterns do not know (the fake 100-… numbers of a sandbox, say), also
// when other numbers stand next to them.
func (a *anonymizer) directoryPhones(s string) string {
	if len(a.phones) == 0 {
		return s
	}
	return digitGroupsRE.ReplaceAllStringFunc(s, func(m string) string {
		runs := digitRunRE.FindAllStringIndex(m, -1)
		var b strings.Builder
		last := 0
		for i := 0; i < len(runs); i++ {
			digits := ""
			for j := i; j < len(runs) && len(digits) < 16; j++ {
				digits += m[runs[j][0]:runs[j][1]]
				if a.phones[digits] {
					b.WriteString(m[last:runs[i][0]])
					b.WriteString(redactedPhone)
					last, i = runs[j][1], j
					break
				}
			}
		}
		b.WriteString(m[last:])
		return b.String()
	})
}

// date moves a date found in text by the case's shift.
func (a *anonymizer) date(m string) string {
	g := dateRE.FindStringSubmatch(m)
	if g[1] == "" { // 3月5日
		month, day := atoiOrZero(g[8]), atoiOrZero(g[9])
		if month < 1 || month > 12 || day < 1 || day > 31 {
			return m
		}
		d := time.Date(a.year, time.Month(month), day, 0, 0, 0, 0, a.loc).AddDate(0, 0, a.dayShift)
		return fmt.Sprintf("%d月%d日", d.Month(), d.Day())
	}
	year, month, day := atoiOrZero(g[1]), atoiOrZero(g[3]), atoiOrZero(g[4])
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return m
	}
	chinese := g[2] == "年"
	if g[5] == "" {
		d := time.Date(year, time.Month(month), day, 0, 0, 0, 0, a.loc).AddDate(0, 0, a.dayShift)
		if chinese {
			return fmt.Sprintf("%d年%d月%d日", d.Year(), d.Month(), d.Day())
		}
		return d.Format("2006-01-02")
	}
	d := a.time(time.Date(year, time.Month(month), day, atoiOrZero(g[5]), atoiOrZero(g[6]), 0, 0, zoneOf(g[7], a.loc)))
	if chinese {
		return fmt.Sprintf("%d年%d月%d日 %s", d.Year(), d.Month(), d.Day(), d.Format("15:04"))
	}
	return d.Format("2006-01-02 15:04")
}

// zoneOf reads the zone of an RFC 3339 time ("Z", "+08:00"); none is the
// site's, loc.
func zoneOf(z string, loc *time.Location) *time.Location {
	if z == "" {
		return loc
	}
	if z == "Z" {
		return time.UTC
	}
	z = strings.ReplaceAll(z, ":", "")
	off := (atoiOrZero(z[1:3])*60 + atoiOrZero(z[3:5])) * 60
	if z[0] == '-' {
		off = -off
	}
	return time.FixedZone(z, off)
}

// usernames replaces desk usernames standing on their own in text.
func (a *anonymizer) usernames(s string) string {
	if a.staffRE == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range a.staffRE.FindAllStringIndex(s, -1) {
		if m[0] > 0 && isUsernameByte(s[m[0]-1]) || m[1] < len(s) && isUsernameByte(s[m[1]]) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(a.staff[strings.ToLower(s[m[0]:m[1]])])
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// unitMention replaces a unit label, a directory unit id or a bare room
// number of the ticket's own entrance with its alias; other numbers stay.
func (a *anonymizer) unitMention(m string) string {
	k, kind, ok := a.mentionKey(m)
	if !ok {
		return m
	}
	u := a.unitAlias(k)
	switch kind {
	case mentionLabel:
		return u.Label + unitMentionRE.FindStringSubmatch(m)[4]
	case mentionID:
		return u.ID
	}
	return strconv.Itoa(u.room)
}

// How a unit is written in text.
const (
	mentionLabel = iota // 3栋2单元1202室
	mentionID           // 3-2-1202
	mentionRoom         // 1202, of the ticket's own entrance
)

// mentionKey reads a match of unitMentionRE as a unit, if it is one. A
// bare number is a unit only when it is a room of the ticket's own
// entrance (its own room, or one the directory knows: "楼上1302"): other
// numbers are amounts, times or codes.
func (a *anonymizer) mentionKey(m string) (unitKey, int, bool) {
	g := unitMentionRE.FindStringSubmatch(m)
	switch {
	case g[1] != "":
		return a.sameEntrance(unitKey{atoiOrZero(g[1]), atoiOrZero(g[2]), atoiOrZero(g[3])}), mentionLabel, true
	case g[5] != "":
		k := unitKey{atoiOrZero(g[5]), atoiOrZero(g[6]), atoiOrZero(g[7])}
		if !a.unitIDs[m] && !(a.hasSubject && k == a.subject) {
			return unitKey{}, 0, false // a date or a code, not a unit
		}
		return k, mentionID, true
	case !a.hasSubject || len(m) < 3:
		return unitKey{}, 0, false
	case m == a.room:
		return a.subject, mentionRoom, true
	}
	k := unitKey{a.subject.building, a.subject.entrance, atoiOrZero(m)}
	if strconv.Itoa(k.room) == m && a.rooms[k] {
		return k, mentionRoom, true
	}
	return unitKey{}, 0, false
}

// sameEntrance reads a label without the entrance ("3栋1202") in the
// ticket's building as the ticket's entrance, where people mean it.
func (a *anonymizer) sameEntrance(k unitKey) unitKey {
	if a.hasSubject && k.entrance == 0 && k.building == a.subject.building {
		k.entrance = a.subject.entrance
	}
	return k
}

// entranceKey is one entrance (单元) of one building; 0 is not said.
type entranceKey struct{ building, entrance int }

// aliasedUnit is the alias of a unit, with its room number for bare
// mentions.
type aliasedUnit struct {
	Unit
	room int
}

// see registers a unit mention before any alias is handed out, so that
// the aliases keep the relations between units: buildings and entrances
// are numbered in order of first appearance (the ticket's own first, as
// 1栋1单元), and the floors of an entrance are renumbered from its lowest
// floor mentioned, so 楼上 and 楼下 stay true.
func (a *anonymizer) see(k unitKey) {
	if _, ok := a.buildings[k.building]; !ok {
		a.buildings[k.building] = len(a.buildings) + 1
	}
	e := entranceKey{k.building, k.entrance}
	if _, ok := a.entrances[e]; !ok {
		a.entrances[e] = 0
		if k.entrance != 0 {
			n := 1
			for o := range a.entrances {
				if o.building == k.building && o.entrance != 0 && o != e {
					n++
				}
			}
			a.entrances[e] = n
		}
		a.positions[e] = map[int]int{}
	}
	if floor := k.room / 100; floor > 0 {
		if low, ok := a.lowest[e]; !ok || floor < low {
			a.lowest[e] = floor
		}
	}
	if pos := a.positions[e]; pos[k.room%100] == 0 {
		pos[k.room%100] = len(pos) + 1
	}
}

// unitAlias is the made-up unit standing for k: the same building and
// entrance aliases for every room of them, the floor counted from the
// entrance's lowest floor mentioned, and the same position on every
// floor, so 1202 and 1302 become 101 and 201.
func (a *anonymizer) unitAlias(k unitKey) aliasedUnit {
	a.see(k)
	e := entranceKey{k.building, k.entrance}
	b, n := a.buildings[k.building], a.entrances[e]
	room := a.positions[e][k.room%100]
	if floor := k.room / 100; floor > 0 {
		room += (floor - a.lowest[e] + 1) * 100
	}
	u := Unit{ID: fmt.Sprintf("%d-%d-%d", b, n, room), Building: fmt.Sprintf("%d栋", b), Label: fmt.Sprintf("%d栋%d单元%d", b, n, room)}
	if n == 0 {
		u.Label = fmt.Sprintf("%d栋%d", b, room)
	}
	return aliasedUnit{u, room}
}

// scanUnits sees every unit that s mentions, in order, as text will read
// them.
func (a *anonymizer) scanUnits(s string) {
	for _, m := range unitMentionRE.FindAllString(a.scrub(s), -1) {
		if k, _, ok := a.mentionKey(m); ok {
			a.see(k)
		}
	}
}

// unitKeyOf reads a unit id (3-2-1202) or, through the directory, its
// label; it also returns the room as written, for bare mentions.
func (a *anonymizer) unitKeyOf(id string) (unitKey, string, bool) {
	label := id
	if u := a.dir.Unit(id); u != nil {
		label = u.Label
	}
	if g := unitMentionRE.FindStringSubmatch(label); g != nil && g[1] != "" && g[0] == label {
		return unitKey{atoiOrZero(g[1]), atoiOrZero(g[2]), atoiOrZero(g[3])}, g[3], true
	}
	if parts := strings.Split(id, "-"); len(parts) == 3 {
		if b, e, r := atoiOrZero(parts[0]), atoiOrZero(parts[1]), atoiOrZero(parts[2]); b > 0 && r > 0 {
			return unitKey{b, e, r}, parts[2], true
		}
	}
	return unitKey{}, "", false
}

// namesIn replaces people's names, scanning once so that aliases are not
// read again.
func (a *anonymizer) namesIn(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		if alias, n := a.personAt(rs, i); n > 0 {
			b.WriteString(alias)
			i += n
			continue
		}
		if n := relativeAt(rs, i); n > 0 {
			b.WriteString(redactedRelative)
			i += n
			continue
		}
		b.WriteRune(rs[i])
		i++
	}
	return b.String()
}

// personAt finds a person named at rs[i]: by full name, or by surname and
// honorific, whichever is longer.
func (a *anonymizer) personAt(rs []rune, i int) (string, int) {
	full, fullLen := personKey{}, 0
	for n := min(a.longest, len(rs)-i); n >= 2; n-- {
		if p, ok := a.names[string(rs[i:i+n])]; ok {
			full, fullLen = p, n
			break
		}
	}
	m := a.addressed(rs, i)
	switch {
	case fullLen > 0 && fullLen >= m.n:
		return a.alias(full), fullLen
	case m.n > 0 && m.known:
		return a.alias(m.who), m.n
	case m.n > 0:
		return "某" + m.honorific, m.n
	}
	return "", 0
}

// kinship words name a relative; a name written right after one is the
// relative's (我老婆王芳, 他爸张建国), whom the directory rarely knows.
// Longer words first, so that 爸爸 is read before 爸.
var kinship = []string{"老婆", "老公", "妻子", "丈夫", "爱人", "媳妇", "儿子", "女儿", "儿媳", "女婿", "孙子", "孙女",
	"爸爸", "妈妈", "父亲", "母亲", "岳父", "岳母", "公公", "婆婆", "爷爷", "奶奶", "外公", "外婆", "姥爷", "姥姥",
	"哥哥", "姐姐", "弟弟", "妹妹", "叔叔", "舅舅", "姑姑", "侄子", "外甥", "亲戚", "家属",
	"爸", "妈", "哥", "姐", "弟", "妹"}

// Words after a kinship word that start with a surname but are no name
// (我爸周末来, 我儿子高中毕业), and characters that end a name rather than
// belong to it (我儿子李明在家, 他妈王芳说).
var (
	notRelativeNames = []string{"周末", "高中", "马上", "方便", "白天", "高兴", "明天", "江边", "金额", "安全", "石头",
		"黄金", "万一", "钱包", "龙头", "毛巾", "孔洞", "汤圆", "段时", "何时", "任何", "于是", "常常", "田里", "林里"}
	nameStops = "说在来去也都和跟的了是要会已打住不没还又就从到把被让给对问回找今昨刚才每先再很一现正上下天晚早里家等带着过吗呢啊吧阿"
)

// relativeAt returns the runes of a relative's name at rs[i]: a common
// surname and one or two more characters right after a kinship word.
func relativeAt(rs []rune, i int) int {
	if i+2 > len(rs) || !strings.ContainsRune(commonSurnames, rs[i]) || !slices.ContainsFunc(kinship, func(k string) bool {
		kr := []rune(k)
		return i >= len(kr) && string(rs[i-len(kr):i]) == k
	}) {
		return 0
	}
	given := func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff && !strings.ContainsRune(nameStops, r) }
	if !given(rs[i+1]) || slices.Contains(notRelativeNames, string(rs[i:i+2])) || honorificAt(rs[i+1:]) != "" {
		return 0
	}
	if i+3 <= len(rs) && given(rs[i+2]) && honorificAt(rs[i+2:]) == "" {
		return 3
	}
	return 2
}

// addressing is a surname with an honorific found in text: n runes, said
// to someone of the directory (known) or to a stranger.
type addressing struct {
	n         int
	honorific string
	who       personKey
	known     bool
}

// addressed reads a surname with an honorific at rs[i] (陈阿姨, 欧阳先生).
func (a *anonymizer) addressed(rs []rune, i int) addressing {
	for sl := 2; sl >= 1; sl-- {
		if i+sl > len(rs) {
			continue
		}
		surname := string(rs[i : i+sl])
		if sl == 2 && !slices.Contains(compoundSurnames, surname) {
			continue
		}
		h := honorificAt(rs[i+sl:])
		if h == "" {
			continue
		}
		if sl == 1 && i > 0 && slices.Contains(notNameWords, string(rs[i-1])+surname) {
			return addressing{}
		}
		m := addressing{n: sl + len([]rune(h)), honorific: h}
		if m.who, m.known = a.resolve(surname, h); m.known || sl == 2 || strings.Contains(commonSurnames, surname) {
			return m
		}
	}
	return addressing{}
}

func honorificAt(rs []rune) string {
	for _, h := range honorifics {
		hr := []rune(h)
		if len(rs) >= len(hr) && string(rs[:len(hr)]) == h {
			return h
		}
	}
	return ""
}

// resolve picks who "surname + honorific" is: the ticket's resident, then
// someone already named, then the first in the directory. A 师傅 is looked
// for among members first, anyone else among residents first.
func (a *anonymizer) resolve(surname, h string) (personKey, bool) {
	worker := h == "师傅"
	best, bestRank := personKey{}, -1
	for _, p := range a.surnames[surname] {
		rank := 4
		_, named := a.people[p]
		switch {
		case !p.member && a.dir.Residents[p.i].ID == a.subjectID:
			rank = 0
		case named:
			rank = 1
		}
		if p.member != worker {
			rank += 5
		}
		if bestRank < 0 || rank < bestRank {
			best, bestRank = p, rank
		}
	}
	return best, bestRank >= 0
}

// alias returns (and on first sight makes) the alias of a person.
func (a *anonymizer) alias(p personKey) string {
	if alias, ok := a.people[p]; ok {
		return alias
	}
	var alias string
	if p.member {
		dept := a.dir.Members[p.i].Department
		alias = DepartmentName(dept) + "部员工" + letterAlias(a.members[dept])
		if DepartmentName(dept) == "" {
			alias = "员工" + letterAlias(a.members[dept])
		}
		a.members[dept]++
	} else {
		alias = residentAlias(a.residents)
		a.residents++
	}
	a.people[p] = alias
	return alias
}

// residentAlias is 业主甲, 业主乙… and 业主11 beyond the ten stems.
func residentAlias(n int) string {
	if r := []rune(residentOrdinals); n < len(r) {
		return "业主" + string(r[n])
	}
	return "业主" + strconv.Itoa(n+1)
}

// letterAlias is A, B… Z, then 27, 28….
func letterAlias(n int) string {
	if n < 26 {
		return string(rune('A' + n))
	}
	return strconv.Itoa(n + 1)
}

// surnameOf is the surname of a Chinese name: a known compound surname or
// the first character.
func surnameOf(name string) string {
	r := []rune(name)
	if len(r) >= 3 && slices.Contains(compoundSurnames, string(r[:2])) {
		return string(r[:2])
	}
	if len(r) == 0 {
		return ""
	}
	return string(r[:1])
}

func phoneDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// isUsernameByte reports whether c can continue a username.
func isUsernameByte(c byte) bool {
	return isASCIIDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// atoi reads digits matched by a pattern; "" is 0.
func atoiOrZero(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
