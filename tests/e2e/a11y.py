"""Accessibility measurements taken from the live page: computed styles gathered by a little
JavaScript, judged in Python (WCAG 2.x relative luminance and contrast ratio)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Every visible element that carries text of its own, with its colour and the background layers
# behind it (from the element outwards, up to and including the first opaque one).
COLLECT_TEXT = r"""
() => {
  const out = [];
  const isHidden = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0) return true;
    }
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return true;            // screen-reader-only text
    const s = getComputedStyle(el);
    if (s.clip === 'rect(0px, 0px, 0px, 0px)' || s.clipPath === 'inset(50%)') return true;
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg') || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION', 'TITLE'].includes(el.tagName)) continue;
    const own = Array.from(el.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!own || isHidden(el)) continue;
    if (el.matches(':disabled')) continue;  // WCAG 1.4.3 exempts inactive controls
    const layers = [];
    let image = false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage && s.backgroundImage !== 'none') { image = true; break; }
      layers.push(s.backgroundColor);
      const m = s.backgroundColor.match(/[\d.]+/g);
      if (m && (m.length < 4 || parseFloat(m[3]) >= 1) && !s.backgroundColor.startsWith('color(')) break;
    }
    const s = getComputedStyle(el);
    out.push({tag: el.tagName.toLowerCase(), cls: el.getAttribute('class') || '',
              text: own.slice(0, 40), color: s.color, layers, image,
              size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight, 10)});
  }
  return out;
}
"""

# Buttons and navigation links a finger must hit: their rendered height.
COLLECT_TARGETS = r"""
() => Array.from(document.querySelectorAll(
    'button, input[type=submit], input[type=button], a.btn-secondary, a.btn, header nav a, header .account a, .skip-link:focus'))
  .filter(el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
                  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !el.hidden; })
  .map(el => ({tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim().slice(0, 30),
               height: el.getBoundingClientRect().height}))
"""

TYPOGRAPHY = r"""
() => { const s = getComputedStyle(document.body);
        return {fontSize: s.fontSize, lineHeight: s.lineHeight, elder: document.body.classList.contains('elder')}; }
"""

OVERFLOW = r"""
() => ({scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
        widest: Array.from(document.querySelectorAll('body *'))
          .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap, [data-scroll]'))
          .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.getAttribute('class') ? '.' + e.getAttribute('class').split(' ')[0] : ''))})
"""


@dataclass(frozen=True)
class RGBA:
    r: float
    g: float
    b: float
    a: float = 1.0

    def over(self, below: RGBA) -> RGBA:
        """Alpha-composite this colour over an opaque one."""
        a = self.a
        return RGBA(self.r * a + below.r * (1 - a), self.g * a + below.g * (1 - a), self.b * a + below.b * (1 - a))


WHITE = RGBA(255, 255, 255)


def parse_color(css: str) -> RGBA:
    """A computed CSS colour: rgb(), rgba() or color(srgb …) (the forms Chromium computes to)."""
    css = css.strip()
    m = re.fullmatch(r"rgba?\(([^)]*)\)", css)
    if m:
        parts = [p for p in re.split(r"[\s,/]+", m.group(1)) if p]
        r, g, b = (float(p) for p in parts[:3])
        a = float(parts[3]) if len(parts) > 3 else 1.0
        return RGBA(r, g, b, a)
    m = re.fullmatch(r"color\(srgb\s+([^)]*)\)", css)
    if m:
        parts = [p for p in re.split(r"[\s/]+", m.group(1)) if p]
        r, g, b = (float(p) * 255 for p in parts[:3])
        a = float(parts[3]) if len(parts) > 3 else 1.0
        return RGBA(r, g, b, a)
    raise ValueError(f"unsupported computed colour: {css!r}")


def _channel(c: float) -> float:
    c = c / 255.0
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(c: RGBA) -> float:
    """WCAG 2.x: L = 0.2126 R + 0.7152 G + 0.0722 B over linearised sRGB channels."""
    return 0.2126 * _channel(c.r) + 0.7152 * _channel(c.g) + 0.0722 * _channel(c.b)


def contrast_ratio(a: RGBA, b: RGBA) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter over the darker: 1 … 21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def effective_background(layers: list[str]) -> RGBA:
    """Composite the background layers (innermost first) over the white canvas."""
    bg = WHITE
    for css in reversed(layers):
        c = parse_color(css)
        if c.a > 0:
            bg = c.over(bg) if c.a < 1 else RGBA(c.r, c.g, c.b)
    return bg


def text_contrast(item: dict) -> float:
    bg = effective_background(item["layers"])
    fg = parse_color(item["color"])
    return contrast_ratio(fg.over(bg) if fg.a < 1 else fg, bg)
