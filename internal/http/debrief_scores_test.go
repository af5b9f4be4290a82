package http_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The debrief gives each dimension's score out of what the scenario can
// give, with what the dimension means, and a time check says what was
// timed and the limit.
func TestDebriefScoresSayOutOfWhat(t *testing.T) {
	e := newEnv(t)
	run := playLeak(t, e, "trainee", []string{"dispatch", "start", "complete", "return_visit", "close"})
	max := e.deps.Catalog.Snapshot().Scenarios["water-leak"].DimensionMax()
	var d struct {
		Run struct{ Scores map[string]int }
		Max map[string]int `json:"dimension_max"`
	}
	e.api("GET", "/api/v1/runs/"+run.ID+"/debrief", "trainee", nil).json(t, &d)
	b := e.browser()
	b.loginAs("trainee")
	page := b.get("/runs/" + run.ID + "/debrief").Body
	for _, dim := range []string{"empathy", "procedure", "accuracy", "timeliness"} {
		if d.Max[dim] != max[dim] {
			t.Errorf("API %s max %d, want %d", dim, d.Max[dim], max[dim])
		}
		want := fmt.Sprintf(`data-dim="%s">%d / %d</td>`, dim, d.Run.Scores[dim], max[dim])
		if max[dim] == 0 {
			want = fmt.Sprintf(`data-dim="%s"><span class="muted">本情景不考查</span>`, dim)
		}
		if !strings.Contains(page, want) {
			t.Errorf("debrief lacks %q", want)
		}
	}
	if max["timeliness"] == 0 || max["procedure"] == 0 {
		t.Fatalf("the water leak should score timeliness and procedure: %v", max)
	}
	for _, means := range []string{"倾听、体谅并安抚业主", "按标准流程受理、派单、跟进和回访", "在时限内响应、派单和答复"} {
		if !strings.Contains(page, means) {
			t.Errorf("debrief does not say what %q is", means)
		}
	}
	if !regexp.MustCompile(`工单 \S+ 从“受理建单”到“派单”用了 \d+ 分钟，要求 30 分钟内`).MatchString(page) {
		t.Error("the time check does not say what was timed")
	}

	// A run that misses a must-do step fails whatever its score, and the
	// verdict says so rather than blaming the pass mark.
	bad := playLeak(t, e, "trainee", []string{"dispatch", "start", "complete"})
	page = b.get("/runs/" + bad.ID + "/debrief").Body
	verdict := regexp.MustCompile(`(?s)id="run-verdict">.*?</p>`).FindString(page)
	if bad.Passed || !strings.Contains(verdict, "有必做步骤没有完成") || strings.Contains(verdict, "及格线") {
		t.Errorf("verdict of a run that missed a must-do: %q", verdict)
	}
}
