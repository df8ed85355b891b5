/**
 * A chart's figure as a stand-alone, publication-ready file: an SVG document with the title, the
 * legend (what is measured, ± 2 SE, and what is exact), the Plot SVG with its labelled axes and a
 * caption naming the spec and seed; and a PNG of it, rasterised in the page (an <img> of the SVG
 * drawn onto a canvas at twice its size).
 */
import { FIGURE_INFO, type LegendItem } from './charts.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif';

const escapeXml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!));

/** Breaks `text` into lines of at most `width` characters (long words broken too). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const rest = word;
    if (!rest) continue;
    if (rest.length > width) {
      // A long word (a spec's JSON) starts where it is and is broken at the width.
      let combined = line ? `${line} ${rest}` : rest;
      while (combined.length > width) {
        lines.push(combined.slice(0, width));
        combined = combined.slice(width);
      }
      line = combined;
      continue;
    }
    if ((line ? line.length + 1 : 0) + rest.length > width) {
      lines.push(line);
      line = rest;
    } else {
      line = line ? `${line} ${rest}` : rest;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function legendMark(item: LegendItem, x: number, y: number): string {
  if (item.kind === 'band' || item.kind === 'swatch') {
    const band = item.kind === 'band';
    return `<rect x="${x}" y="${y - (band ? 4 : 5)}" width="20" height="${band ? 8 : 10}" fill="${item.color}" fill-opacity="${band ? 0.25 : 1}"/>`
      + (band ? `<line x1="${x}" x2="${x + 20}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="2"/>` : '');
  }
  return `<line x1="${x}" x2="${x + 20}" y1="${y}" y2="${y}" stroke="${item.color}" stroke-width="2"${item.dash ? ` stroke-dasharray="${item.dash}"` : ''}/>`;
}

/** The figure (a figure.chart the charts drew) as an SVG document. */
export function figureToSVG(figure: HTMLElement, caption: string[]): string {
  const info = FIGURE_INFO.get(figure) ?? { title: figure.querySelector('figcaption')?.textContent ?? '', legend: [] };
  const svgs = [...figure.querySelectorAll<SVGSVGElement>('svg')].filter((svg) => !svg.closest('.key'));
  const plot = svgs.at(-1);
  if (!plot) throw new Error('the figure has no plot');
  const plotWidth = Number(plot.getAttribute('width')) || plot.viewBox.baseVal.width || 640;
  const plotHeight = Number(plot.getAttribute('height')) || plot.viewBox.baseVal.height || 300;
  // Plot's own colour legend (several series, a heatmap's scale) is HTML: its entries become ours.
  const legend: LegendItem[] = [...info.legend];
  const swatches = [...figure.querySelectorAll<HTMLElement>('[class$="-swatch"]')];
  const named = new Set(legend.map((i) => i.label.replace(/ ± 2 SE$/, '')));
  for (const swatch of swatches) {
    const label = swatch.textContent?.trim() ?? '';
    const color = swatch.querySelector('[fill]')?.getAttribute('fill') ?? '#888';
    if (label && !named.has(label)) legend.push({ label, color, kind: 'swatch' });
  }
  const ramp = figure.querySelector<SVGSVGElement>('svg[class$="-ramp"]');
  const width = Math.max(plotWidth + 24, 480);
  const chars = Math.floor((width - 24) / 6.6);
  let y = 14;
  const parts: string[] = [];
  const legendParts: string[] = [];
  for (const line of wrap(info.title, Math.floor((width - 24) / 8.4))) {
    y += 18;
    parts.push(`<text x="12" y="${y}" font-size="15" font-weight="600" data-part="title">${escapeXml(line)}</text>`);
  }
  // The legend, flowed into rows.
  let x = 12;
  y += 22;
  const legendTop = y;
  for (const item of legend) {
    const itemWidth = 28 + item.label.length * 7 + 16;
    if (x > 12 && x + itemWidth > width - 12) {
      x = 12;
      y += 18;
    }
    legendParts.push(`<g data-part="legend-item">${legendMark(item, x, y - 4)}<text x="${x + 26}" y="${y}" font-size="12">${escapeXml(item.label)}</text></g>`);
    x += itemWidth;
  }
  if (!legend.length) y -= 18;
  if (ramp) {
    y += 8;
    const rampHeight = Number(ramp.getAttribute('height')) || 50;
    const clone = ramp.cloneNode(true) as SVGSVGElement;
    clone.setAttribute('x', '12');
    clone.setAttribute('y', String(y));
    legendParts.push(new XMLSerializer().serializeToString(clone));
    y += rampHeight;
  }
  const legendBlock = legendParts.length ? `<g data-part="legend" data-top="${legendTop}">${legendParts.join('')}</g>` : '';
  y += 12;
  const clone = plot.cloneNode(true) as SVGSVGElement;
  for (const tip of clone.querySelectorAll('[aria-label="tip"]')) tip.remove();
  clone.setAttribute('x', '12');
  clone.setAttribute('y', String(y));
  clone.setAttribute('width', String(plotWidth));
  clone.setAttribute('height', String(plotHeight));
  clone.setAttribute('data-part', 'plot');
  const plotText = new XMLSerializer().serializeToString(clone);
  y += plotHeight + 10;
  const captionLines = [...(info.note ? wrap(info.note, chars) : []), ...caption.flatMap((line) => wrap(line, chars))];
  const captionParts = captionLines.map((line) => {
    y += 15;
    return `<text x="12" y="${y}" font-size="11.5" fill="#374151">${escapeXml(line)}</text>`;
  });
  y += 12;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="${SVG_NS}" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family='${FONT}' fill="#1d2330">`
    + `<rect width="100%" height="100%" fill="#fff"/>${parts.join('')}${legendBlock}${plotText}<g data-part="caption">${captionParts.join('')}</g></svg>\n`;
}

/** The SVG document as a PNG at `scale` times its size, on white. */
export async function figureToPNG(svg: string, scale = 2): Promise<Blob> {
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(image.naturalWidth * scale);
  canvas.height = Math.ceil(image.naturalHeight * scale);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  return new Promise((done, fail) => canvas.toBlob((blob) => (blob ? done(blob) : fail(new Error('the canvas gave no PNG'))), 'image/png'));
}

/** Hands `blob` to the browser as a download named `name`. */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
