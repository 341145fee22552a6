/** A small live SVG chart of the mark price for the symbol in view, with the position's entry, stop and next tier. */
import { h, replaceChildren, svg } from '../dom.ts';
import { plain } from '../format.ts';
import { polylinePoints, priceRange, yOf, type Level, type MarkPoint } from '../chart-model.ts';

const HEIGHT = 140;

export interface ChartView {
  draw(symbol: string, points: readonly MarkPoint[], levels: readonly Level[]): void;
}

export function createChartView(root: HTMLElement): ChartView {
  const title = h('p', { id: 'chart-title', class: 'muted' }, 'Mark price');
  const canvas = svg('svg', { id: 'chart-svg', height: HEIGHT, role: 'img', 'aria-labelledby': 'chart-title chart-desc' });
  const desc = h('p', { id: 'chart-desc', class: 'visually-hidden' });
  replaceChildren(root, title, canvas, desc);

  let frame: number | undefined;
  let latest: [string, readonly MarkPoint[], readonly Level[]] | undefined;

  function paint(): void {
    frame = undefined;
    if (latest === undefined) return;
    const [symbol, points, levels] = latest;
    const width = Math.max(200, Math.round(root.clientWidth || 360));
    canvas.setAttribute('viewBox', `0 0 ${width} ${HEIGHT}`);
    canvas.setAttribute('width', String(width));
    canvas.replaceChildren();
    const last = points[points.length - 1];
    title.textContent = last === undefined ? `${symbol}: waiting for marks…` : `${symbol} mark ${plain(last.price)}`;
    const range = priceRange(points, levels);
    if (range === undefined) {
      desc.textContent = `No mark price yet for ${symbol}.`;
      return;
    }
    for (const level of levels) {
      const y = Math.round(yOf(Number(level.price), range, HEIGHT)) + 0.5;
      canvas.append(svg('line', { x1: 0, x2: width, y1: y, y2: y, class: `level ${level.kind}` }));
      const text = svg('text', { x: 4, y: Math.max(10, y - 3), class: `level-label ${level.kind}` });
      text.textContent = level.label;
      canvas.append(text);
    }
    canvas.append(svg('polyline', { points: polylinePoints(points, range, width, HEIGHT), class: 'mark-line' }));
    desc.textContent = `${points.length} recent marks of ${symbol}${levels.length > 0 ? `; ${levels.map((l) => l.label).join(', ')}` : ''}.`;
  }

  return {
    draw(symbol, points, levels) {
      latest = [symbol, points, levels];
      // Marks can arrive many times a second; paint at most once per frame.
      if (frame === undefined) frame = requestAnimationFrame(paint);
    },
  };
}
