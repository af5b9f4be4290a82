package academy

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Name tables for made-up people. Given names are split by the honorific
// they usually go with, so that generated text can say 陈女士 or 王先生.
const (
	commonSurnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
	maleGiven      = "伟强磊军洋勇杰涛明超刚平辉鹏华飞斌宇浩凯俊峰建国志文海波东林庆德"
	femaleGiven    = "芳娜敏静丽艳娟霞秀英玉兰红梅琳婷慧莹雪倩颖洁佳欣怡萍燕琴丹"
)

// Made-up estate names for a sandbox's banner: the prefix says it is
// practice.
var (
	siteNamePrefixes = []string{"演练", "模拟", "练习", "实训"}
	siteNameSuffixes = []string{"花园", "家园", "雅苑", "华庭", "新城", "小区"}
)

// Streams of the seeded generator, so that names and site names do not
// depend on each other.
const (
	streamPeople   = 0x5eed0001
	streamSiteName = 0x5eed0002
)

// estatePlan is the shape of a made-up site.
type estatePlan struct {
	buildings, entrances, floors, flats int
	// phonePrefix starts every resident's phone: no real number starts 100.
	phonePrefix string
	// staff is the number of members per department, in the order of
	// Departments.
	staff []int
}

// SyntheticDirectory makes a small made-up site for a sandbox: units,
// residents and department members with made-up names and clearly fake
// phones (100-0000-NNNN). The same seed gives the same directory.
//
// It has 3 buildings (1栋–3栋) of 2 entrances, 6 floors and 2 flats per
// floor; every flat has an owner and sometimes a tenant; service has 2
// members, engineering 3, security 2, cleaning 2, landscaping 1 and
// finance 1.
func SyntheticDirectory(seed int64) Directory {
	return buildEstate(seed, estatePlan{buildings: 3, entrances: 2, floors: syntheticFloors, flats: 2, phonePrefix: "100-0000-",
		staff: []int{2, 3, 2, 2, 1, 1}})
}

// syntheticFloors is the height of a sandbox's buildings.
const syntheticFloors = 6

// SyntheticEstates is how many different made-up estates sandboxes are
// drawn from. A sandbox's directory is stored once per content (frozen by
// its digest), so a bounded set of estates keeps the stored directories a
// bounded set however many sandboxes are opened, where one estate per
// sandbox added 15 KB to every practice desk and scenario run for good.
// Sixty-four is still more than a learner meets.
const SyntheticEstates = 1 << estateBits

const estateBits = 6

// EstateSeed picks one of the SyntheticEstates for a sandbox opened at t.
// The time is hashed (Fibonacci hashing, keeping the top bits) rather
// than taken modulo: clocks with microsecond resolution end every
// UnixNano in 000.
func EstateSeed(t time.Time) int64 {
	return int64(uint64(t.UnixNano()) * 0x9E3779B97F4A7C15 >> (64 - estateBits))
}

// SyntheticSiteName returns a made-up estate name for the banner, e.g. 演练花园.
func SyntheticSiteName(seed int64) string {
	rng := rand.New(rand.NewPCG(uint64(seed), streamSiteName))
	return siteNamePrefixes[rng.IntN(len(siteNamePrefixes))] + siteNameSuffixes[rng.IntN(len(siteNameSuffixes))]
}

// buildEstate lays out the units of a plan, then draws its people.
func buildEstate(seed int64, p estatePlan) Directory {
	names := newNameGen(seed)
	var d Directory
	for b := 1; b <= p.buildings; b++ {
		for e := 1; e <= p.entrances; e++ {
			for f := 1; f <= p.floors; f++ {
				for k := 1; k <= p.flats; k++ {
					d.Units = append(d.Units, estateUnit(b, e, f*100+k))
				}
			}
		}
	}
	for _, u := range d.Units {
		d.Residents = append(d.Residents, names.resident(len(d.Residents), u.ID, "owner", p.phonePrefix))
		// About one flat in four is let: the tenant is who calls about
		// repairs, the owner about fees.
		if names.rng.IntN(4) == 0 {
			d.Residents = append(d.Residents, names.resident(len(d.Residents), u.ID, "tenant", p.phonePrefix))
		}
	}
	for i, dept := range ShippedRules().Departments {
		for range p.staff[i] {
			d.Members = append(d.Members, Member{ID: fmt.Sprintf("m%02d", len(d.Members)+1), Name: names.name(), Department: dept.ID})
		}
	}
	return d
}

// estateUnit is the unit of building b, entrance e and room: 1-1-101.
func estateUnit(b, e, room int) Unit {
	return Unit{ID: fmt.Sprintf("%d-%d-%d", b, e, room), Building: fmt.Sprintf("%d栋", b), Label: fmt.Sprintf("%d栋%d单元%d", b, e, room)}
}

// nameGen draws made-up names, each once.
type nameGen struct {
	rng  *rand.Rand
	used map[string]bool
}

func newNameGen(seed int64) *nameGen {
	return &nameGen{rng: rand.New(rand.NewPCG(uint64(seed), streamPeople)), used: map[string]bool{}}
}

// resident makes the i-th resident (0-based): id r001, phone prefix+0001.
// Numbering the phones keeps them unique.
func (g *nameGen) resident(i int, unit, role, phonePrefix string) Resident {
	return Resident{ID: fmt.Sprintf("r%03d", i+1), Name: g.name(), Unit: unit, Phone: fmt.Sprintf("%s%04d", phonePrefix, i+1), Role: role}
}

// name draws a surname and a one- or two-character given name not drawn
// before, so that a name in a ticket points at one person.
func (g *nameGen) name() string {
	surnames := []rune(commonSurnames)
	var name string
	for range 100 {
		given := []rune(maleGiven)
		if g.rng.IntN(2) == 0 {
			given = []rune(femaleGiven)
		}
		name = string(surnames[g.rng.IntN(len(surnames))]) + string(given[g.rng.IntN(len(given))])
		if g.rng.IntN(3) > 0 {
			name += string(given[g.rng.IntN(len(given))])
		}
		if !g.used[name] {
			break
		}
	}
	g.used[name] = true
	return name
}

// politeName is how the desk addresses a made-up person: 陈女士, 王先生.
func politeName(name string) string {
	r := []rune(name)
	if len(r) == 0 {
		return ""
	}
	for _, c := range femaleGiven {
		if r[len(r)-1] == c {
			return string(r[0]) + "女士"
		}
	}
	return string(r[0]) + "先生"
}
