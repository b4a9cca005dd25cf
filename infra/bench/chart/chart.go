// Package chart draws the benchmark's latency chart. It is the harness's
// only use of gonum.org/v1/plot and knows nothing of the harness: it takes
// named samples and writes a PNG.
package chart

import (
	"fmt"
	"image/color"
	"os"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Series is one target's samples in one panel, sorted ascending.
type Series struct {
	Name    string
	Samples []time.Duration
}

// Panel is one distribution panel: each series drawn as its cumulative
// distribution (latency against percentile), so medians and tails of all
// targets read off one picture.
type Panel struct {
	Title  string
	Series []Series
}

// Bars is a bar panel (throughput by target).
type Bars struct {
	Title, Unit string
	Names       []string
	Values      []float64
}

// Chart is the whole picture: distribution panels, then the bar panel.
type Chart struct {
	Panels []Panel
	Bars   *Bars
	// Colors fixes each series name's color index, so a target keeps its
	// color across panels.
	Colors map[string]int
}

// Size of the picture and its grid.
const (
	cols       = 3
	tileWidth  = 420 // points
	tileHeight = 320
	maxPoints  = 400 // per series; samples are thinned evenly beyond it
)

// WritePNG draws c into path.
func WritePNG(path string, c Chart) error {
	n := len(c.Panels)
	if c.Bars != nil {
		n++
	}
	if n == 0 {
		return fmt.Errorf("chart: nothing to draw")
	}
	rows := (n + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
	}
	for i, pn := range c.Panels {
		p, err := cdf(pn, c.Colors)
		if err != nil {
			return err
		}
		grid[i/cols][i%cols] = p
	}
	if c.Bars != nil {
		p, err := bars(*c.Bars, c.Colors)
		if err != nil {
			return err
		}
		grid[len(c.Panels)/cols][len(c.Panels)%cols] = p
	}
	img := vgimg.New(vg.Points(tileWidth*cols), vg.Points(float64(tileHeight*rows)))
	dc := draw.New(img)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(12), PadY: vg.Points(12),
		PadTop: vg.Points(8), PadBottom: vg.Points(8), PadLeft: vg.Points(8), PadRight: vg.Points(8)}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for col, p := range grid[r] {
			if p != nil {
				p.Draw(canvases[r][col])
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("chart: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("chart: write %s: %w", path, err)
	}
	return nil
}

// cdf draws one distribution panel, the x axis cut at the largest p99.9
// so one slow outlier does not flatten the rest.
func cdf(pn Panel, colors map[string]int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = pn.Title
	p.X.Label.Text = "ms"
	p.Y.Label.Text = "percentile"
	p.Y.Min, p.Y.Max = 0, 100
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.YPosition = draw.PosBottom
	p.Add(plotter.NewGrid())
	xmax := 0.0
	for _, s := range pn.Series {
		if len(s.Samples) == 0 {
			continue
		}
		xmax = max(xmax, ms(s.Samples[min(len(s.Samples)-1, len(s.Samples)*999/1000)]))
		line, err := plotter.NewLine(points(s.Samples))
		if err != nil {
			return nil, fmt.Errorf("chart: %s: %w", pn.Title, err)
		}
		line.Color = plotutil.Color(colors[s.Name])
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(s.Name, line)
	}
	if xmax > 0 {
		p.X.Min, p.X.Max = 0, xmax*1.05
	}
	return p, nil
}

// points is the cumulative distribution of sorted samples, thinned.
func points(sorted []time.Duration) plotter.XYs {
	step := max(1, len(sorted)/maxPoints)
	var xys plotter.XYs
	for i := 0; i < len(sorted); i += step {
		xys = append(xys, plotter.XY{X: ms(sorted[i]), Y: 100 * float64(i+1) / float64(len(sorted))})
	}
	last := len(sorted) - 1
	if last%step != 0 {
		xys = append(xys, plotter.XY{X: ms(sorted[last]), Y: 100})
	}
	return xys
}

// bars draws the bar panel, one colored bar per name.
func bars(b Bars, colors map[string]int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = b.Title
	p.Y.Label.Text = b.Unit
	p.Y.Min = 0
	w := vg.Points(float64(tileWidth) / float64(2*max(1, len(b.Names))))
	for i, name := range b.Names {
		vals := make(plotter.Values, len(b.Names))
		vals[i] = b.Values[i]
		bc, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, fmt.Errorf("chart: %s: %w", b.Title, err)
		}
		bc.Color = plotutil.Color(colors[name])
		bc.LineStyle.Width = 0
		p.Add(bc)
	}
	// Each bar carries its value, so a bar too short to see still reads.
	xys := make(plotter.XYs, len(b.Values))
	texts := make([]string, len(b.Values))
	for i, v := range b.Values {
		xys[i] = plotter.XY{X: float64(i), Y: v}
		texts[i] = fmt.Sprintf("%.0f", v)
	}
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil, fmt.Errorf("chart: %s: %w", b.Title, err)
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign = draw.XCenter
	}
	labels.Offset = vg.Point{Y: vg.Points(3)}
	p.Add(labels)
	p.NominalX(b.Names...)
	return p, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
