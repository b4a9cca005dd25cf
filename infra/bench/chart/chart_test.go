package chart

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWritePNG(t *testing.T) {
	ms := func(n int) []time.Duration {
		out := make([]time.Duration, n)
		for i := range out {
			out[i] = time.Duration(i+1) * time.Millisecond
		}
		return out
	}
	panel := Panel{Title: "p", Series: []Series{{Name: "a", Samples: ms(1000)}, {Name: "b", Samples: ms(3)}, {Name: "empty"}}}
	tests := []struct {
		name    string
		chart   Chart
		wantErr bool
		rows    int
	}{
		{"one panel", Chart{Panels: []Panel{panel}}, false, 1},
		{"panels and bars over two rows", Chart{Panels: []Panel{panel, panel, panel},
			Bars: &Bars{Title: "b", Unit: "req/s", Names: []string{"a", "b"}, Values: []float64{1000, 3}}}, false, 2},
		{"nothing to draw", Chart{}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.png")
			err := WritePNG(path, tt.chart)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Width <= cfg.Height/tt.rows || cfg.Height == 0 {
				t.Errorf("image %dx%d for %d rows", cfg.Width, cfg.Height, tt.rows)
			}
		})
	}
}

func TestPointsThinAndEndAtTheMaximum(t *testing.T) {
	tests := []struct {
		n, maxLen int
	}{
		{1, 1}, {10, 10}, {maxPoints * 3, maxPoints + 1}, {maxPoints*3 + 1, maxPoints + 2},
	}
	for _, tt := range tests {
		s := make([]time.Duration, tt.n)
		for i := range s {
			s[i] = time.Duration(i) * time.Millisecond
		}
		xys := points(s)
		if len(xys) > tt.maxLen || xys[len(xys)-1].Y != 100 || xys[len(xys)-1].X != ms(s[tt.n-1]) {
			t.Errorf("n=%d: %d points, last %+v", tt.n, len(xys), xys[len(xys)-1])
		}
	}
}
