"""The soak's chart as a self-contained SVG: p99 latency (left axis) and resident memory (right axis) over time."""

from __future__ import annotations

from typing import Any

W, H, L, R, T, B = 720, 300, 60, 70, 30, 40


def _scale(values: list[float]) -> float:
    top = max(values, default=1.0) or 1.0
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if top <= step * 5:
            return float(step * 5)
    return top * 1.1


def _path(points: list[tuple[float, float]], xmax: float, ymax: float) -> str:
    pw, ph = W - L - R, H - T - B
    return " ".join(f"{'M' if i == 0 else 'L'}{L + x / xmax * pw:.1f},{T + ph - y / ymax * ph:.1f}"
                    for i, (x, y) in enumerate(points))  # fmt: skip


def _axes(xmax: float, lat: float, mem: float) -> list[str]:
    pw, ph = W - L - R, H - T - B
    out = [f'<rect x="{L}" y="{T}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>']
    for k in range(6):
        y = T + ph - k * ph / 5
        out.append(f'<line x1="{L}" x2="{L + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(
            f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#c0392b">{lat * k / 5:g}</text>'
        )
        out.append(f'<text x="{L + pw + 6}" y="{y + 4:.1f}" fill="#2471a3">{mem * k / 5:g}</text>')
        x = L + k * pw / 5
        out.append(f'<text x="{x:.1f}" y="{T + ph + 16}" text-anchor="middle">{xmax * k / 5 / 60:.1f}</text>')
    out.append(f'<text x="{L + pw / 2}" y="{H - 6}" text-anchor="middle">minutes into the soak</text>')
    out.append(f'<text x="{L}" y="{T - 10}" fill="#c0392b">p99 latency (ms)</text>')
    out.append(f'<text x="{L + pw}" y="{T - 10}" text-anchor="end" fill="#2471a3">server RSS (MiB)</text>')
    return out


def svg(samples: list[dict[str, Any]]) -> str:
    xmax = float(max((s["t_s"] for s in samples), default=1)) or 1.0
    lat = _scale([s["p99_ms"] for s in samples])
    mem = _scale([s["rss_mib"] for s in samples])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" '
             f'font-size="11"><rect width="{W}" height="{H}" fill="white"/>', *_axes(xmax, lat, mem)]  # fmt: skip
    p99 = [(float(s["t_s"]), float(s["p99_ms"])) for s in samples]
    rss = [(float(s["t_s"]), float(s["rss_mib"])) for s in samples]
    parts.append(f'<path d="{_path(p99, xmax, lat)}" fill="none" stroke="#c0392b" stroke-width="2"/>')
    parts.append(f'<path d="{_path(rss, xmax, mem)}" fill="none" stroke="#2471a3" stroke-width="2"/>')
    return "\n".join([*parts, "</svg>", ""])
