package main

import (
	"bytes"
	"fmt"
	"time"
)

// plot draws the samples as an SVG: one panel per series (resident memory,
// live heap, goroutines), with a line for each process, and one for the
// round trips' p50 and p99 per minute, against the time into the run. A flat line is what a good soak
// looks like; each panel's axis starts at zero so that a flat line looks
// flat.
func plot(r *report) []byte {
	const width, panelH, left, top, gap = 720, 150, 70, 30, 40
	type line struct {
		color string
		pts   [][2]float64 // seconds, value
	}
	type panel struct {
		title string
		lines []line
	}
	var panels []panel
	colors := []string{"#1f77b4", "#ff7f0e"} // blue, orange
	for _, s := range series(0) {
		p := panel{title: s.name + ": server blue, clients orange"}
		for i, proc := range r.processes() {
			var pts [][2]float64
			for _, smp := range proc.samples {
				pts = append(pts, [2]float64{smp.at.Seconds(), s.value(smp)})
			}
			p.lines = append(p.lines, line{colors[i], pts})
		}
		panels = append(panels, p)
	}
	var p50, p99 [][2]float64
	for _, m := range r.minutes {
		p50 = append(p50, [2]float64{m.end.Seconds(), ms(m.p50)})
		p99 = append(p99, [2]float64{m.end.Seconds(), ms(m.p99)})
	}
	panels = append(panels, panel{"round trip per minute (ms): p50 blue, p99 red", []line{{"#1f77b4", p50}, {"#d62728", p99}}})

	var tMax float64 = 1
	if len(r.samples) > 0 {
		tMax = max(tMax, r.samples[len(r.samples)-1].at.Seconds())
	}
	height := top + len(panels)*(panelH+gap)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`+"\n", width+20, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="18" font-size="14">wssoak: %d connections, %.0f s</text>`+"\n", left, r.conns, tMax)
	for i, p := range panels {
		y0 := top + i*(panelH+gap) + 10
		var vMax float64
		for _, l := range p.lines {
			for _, pt := range l.pts {
				vMax = max(vMax, pt[1])
			}
		}
		if vMax == 0 {
			vMax = 1
		}
		vMax *= 1.1
		x := func(t float64) float64 { return left + t/tMax*(width-left) }
		y := func(v float64) float64 { return float64(y0+panelH) - v/vMax*panelH }
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`+"\n", left, y0-4, p.title)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`+"\n", left, y0, width-left, panelH)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%.4g</text>`+"\n", left-4, y0+10, vMax)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">0</text>`+"\n", left-4, y0+panelH)
		fmt.Fprintf(&b, `<text x="%d" y="%d">0 s</text>`+"\n", left, y0+panelH+14)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%.0f s</text>`+"\n", width, y0+panelH+14, tMax)
		for _, l := range p.lines {
			if len(l.pts) == 0 {
				continue
			}
			fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="`, l.color)
			for _, pt := range l.pts {
				fmt.Fprintf(&b, "%.1f,%.1f ", x(pt[0]), y(pt[1]))
			}
			b.WriteString("\"/>\n")
			if len(l.pts) <= 20 { // few points: mark them, a lone one included
				for _, pt := range l.pts {
					fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", x(pt[0]), y(pt[1]), l.color)
				}
			}
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
