package academy

import (
	"fmt"
	"testing"
)

func TestZZProbe(t *testing.T) {
	dir, ts := DemoDesk("demo", demoNow)
	fmt.Println(dir.Members)
	for _, tk := range ts[:41] {
		st := SLA(&tk, demoNow)
		fmt.Println(tk.Number, tk.State, tk.Priority, tk.CreatedAt.Format("01-02 15:04"), tk.Title, "|", tk.Description, "| overdue:", st.Overdue)
		for _, e := range tk.Events[1:] {
			fmt.Println("   ", e.At.Format("01-02 15:04"), e.Actor, e.Action, e.From, e.To, e.Fields, e.Note)
		}
	}
}
