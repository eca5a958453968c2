/**
 * The diagram as a picture file: PNG or SVG of every node and edge at full size (not the
 * part in view, not the zoom). html-to-image draws the DOM xyflow rendered; it is loaded on
 * first use, a chunk of the app's own build, so export works offline.
 */
import type { Rect } from '@xyflow/react';

export type ImageFormat = 'png' | 'svg';

/** Room around the nodes for edge labels and arrowheads that stick out. */
const PAD = 32;
/** Canvases have a size limit (about 16k px a side, less in area): stay well inside. */
const MAX_SIDE = 8000;

/** The image's size and the transform that puts the nodes' bounds at its top-left corner. */
export function imageFrame(bounds: Rect): { width: number; height: number; transform: string } {
  const width = Math.ceil(bounds.width + 2 * PAD);
  const height = Math.ceil(bounds.height + 2 * PAD);
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  return {
    width: Math.ceil(width * scale),
    height: Math.ceil(height * scale),
    transform: `translate(${(PAD - bounds.x) * scale}px, ${(PAD - bounds.y) * scale}px) scale(${scale})`,
  };
}

/** Renders xyflow's viewport element (`.react-flow__viewport`) as a data URL. */
export async function renderDiagram(viewport: HTMLElement, bounds: Rect, format: ImageFormat): Promise<string> {
  const { toPng, toSvg } = await import('html-to-image');
  const frame = imageFrame(bounds);
  const options = {
    backgroundColor: '#f6f7f9',
    width: frame.width,
    height: frame.height,
    // System fonts only: nothing to fetch and embed (and nothing that needs the network).
    skipFonts: true,
    pixelRatio: 1,
    style: { width: `${frame.width}px`, height: `${frame.height}px`, transform: frame.transform },
  };
  const restore = inlineEdgeStrokes(viewport);
  try {
    return await (format === 'png' ? toPng(viewport, options) : toSvg(viewport, options));
  } finally {
    restore();
  }
}

/**
 * html-to-image copies the computed style of HTML elements but not of the edges' SVG paths,
 * whose colour and width come from the stylesheet (.kedge-*): without this the edges would be
 * missing from the picture. Their stroke goes into their style attribute for the copy, and
 * is taken out again after (React sets no style on them).
 */
function inlineEdgeStrokes(viewport: HTMLElement): () => void {
  const undo: (() => void)[] = [];
  for (const path of viewport.querySelectorAll<SVGPathElement>('.react-flow__edge path, .edge-layer path')) {
    const before = path.getAttribute('style');
    const cs = getComputedStyle(path);
    path.style.stroke = cs.stroke;
    path.style.strokeWidth = cs.strokeWidth;
    path.style.strokeDasharray = cs.strokeDasharray;
    path.style.fill = cs.fill;
    // A still picture: no marching dashes.
    path.style.animation = 'none';
    undo.push(() => (before === null ? path.removeAttribute('style') : path.setAttribute('style', before)));
  }
  return () => undo.forEach((f) => f());
}

/** Saves a data URL as a file, through a Blob so large images do not make a huge link. */
export async function downloadDataUrl(dataUrl: string, filename: string): Promise<void> {
  const blob = await (await fetch(dataUrl)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The click has handed the blob to the download; free it once the browser took it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
