import { type FontName, fontResourceNames, type SetText, standardFonts } from "./standard-fonts.js";

/**
 * The content stream of a page or Form XObject (PDF 32000-1 §8, §9), drawn in the coordinates
 * the layouts use: points from the top-left corner, y downwards.
 *
 * The stream starts by flipping the y axis (`1 0 0 -1 0 height cm`), so paths are written as
 * they are laid out, and text is set upright again by its text matrix (`1 0 0 -1 x y Tm`). Text
 * is positioned by the top of its line, as pdfkit placed it: the baseline is one ascender lower.
 */
export class PageContent {
  readonly size: readonly [number, number];
  /** The XObjects the content draws, by resource name: object number. */
  readonly xobjects = new Map<string, number>();
  #ops: string;
  /** Inside `BT`…`ET`, with the font and size last selected: consecutive lines share one text object. */
  #text: { font: FontName; size: number } | undefined;

  /**
   * `size` is the page's. A Form XObject's content (`isForm`) is drawn inside a page, whose
   * y axis is already flipped, so it does not flip again.
   */
  constructor(size: readonly [number, number], isForm = false) {
    this.size = size;
    this.#ops = isForm ? "" : `1 0 0 -1 0 ${size[1]} cm\n`;
  }

  toString(): string {
    this.#endText();
    return this.#ops;
  }

  /** Appends operators outside a text object. */
  #add(ops: string): this {
    if (this.#text) this.#endText();
    this.#ops += ops;
    return this;
  }

  #endText(): void {
    if (this.#text) {
      this.#ops += "ET\n";
      this.#text = undefined;
    }
  }

  fillColor(hex: string): this {
    // Colour operators are allowed inside a text object (PDF 32000-1 §9.4, Figure 9): no need to end it.
    this.#ops += `${rgb(hex)} rg\n`;
    return this;
  }

  strokeColor(hex: string): this {
    return this.#add(`${rgb(hex)} RG\n`);
  }

  lineWidth(width: number): this {
    return this.#add(`${num(width)} w\n`);
  }

  rect(x: number, y: number, width: number, height: number): this {
    return this.#add(`${num(x)} ${num(y)} ${num(width)} ${num(height)} re\n`);
  }

  moveTo(x: number, y: number): this {
    return this.#add(`${num(x)} ${num(y)} m\n`);
  }

  lineTo(x: number, y: number): this {
    return this.#add(`${num(x)} ${num(y)} l\n`);
  }

  curveTo(x1: number, y1: number, x2: number, y2: number, x: number, y: number): this {
    return this.#add(`${num(x1)} ${num(y1)} ${num(x2)} ${num(y2)} ${num(x)} ${num(y)} c\n`);
  }

  /** An ellipse centred at (x, y) from four Bézier curves, as pdfkit draws it. */
  ellipse(x: number, y: number, rx: number, ry = rx): this {
    const left = x - rx;
    const top = y - ry;
    const ox = rx * kappa;
    const oy = ry * kappa;
    const right = left + 2 * rx;
    const bottom = top + 2 * ry;
    return this.moveTo(left, y)
      .curveTo(left, y - oy, x - ox, top, x, top)
      .curveTo(x + ox, top, right, y - oy, right, y)
      .curveTo(right, y + oy, x + ox, bottom, x, bottom)
      .curveTo(x - ox, bottom, left, y + oy, left, y)
      .closePath();
  }

  /** A rectangle with corners rounded to `radius`, as pdfkit draws it. */
  roundedRect(x: number, y: number, width: number, height: number, radius: number): this {
    const r = Math.max(0, Math.min(radius, 0.5 * width, 0.5 * height));
    const c = r * (1 - kappa);
    return this.moveTo(x + r, y)
      .lineTo(x + width - r, y)
      .curveTo(x + width - c, y, x + width, y + c, x + width, y + r)
      .lineTo(x + width, y + height - r)
      .curveTo(x + width, y + height - c, x + width - c, y + height, x + width - r, y + height)
      .lineTo(x + r, y + height)
      .curveTo(x + c, y + height, x, y + height - c, x, y + height - r)
      .lineTo(x, y + r)
      .curveTo(x, y + c, x + c, y, x + r, y)
      .closePath();
  }

  closePath(): this {
    return this.#add("h\n");
  }

  fill(): this {
    return this.#add("f\n");
  }

  stroke(): this {
    return this.#add("S\n");
  }

  /** Intersects the clipping path with the current path (nonzero rule) and ends the path. */
  clip(): this {
    return this.#add("W n\n");
  }

  save(): this {
    return this.#add("q\n");
  }

  restore(): this {
    return this.#add("Q\n");
  }

  /**
   * One line of `text` in `font` at `size`, the top of the line at (x, y). Returns the
   * line's width. `underline` draws a rule under it in its colour, as pdfkit does.
   */
  text(
    text: string,
    font: FontName,
    size: number,
    x: number,
    y: number,
    options: { readonly underline?: { readonly color: string } } = {},
  ): number {
    if (text === "") return 0;
    const metrics = standardFonts()[font];
    const set: SetText = metrics.set(text);
    const width = set.width * size;
    if (options.underline) {
      // pdfkit: a rule of 0.5 pt under text smaller than 10 pt, its bottom at the line's bottom.
      const ruleWidth = size < 10 ? 0.5 : Math.floor(size / 10);
      const lineY = y + metrics.lineHeight * size - ruleWidth;
      this.save()
        .strokeColor(options.underline.color)
        .lineWidth(ruleWidth)
        .moveTo(x, lineY)
        .lineTo(x + width, lineY)
        .stroke()
        .restore();
    }
    if (!this.#text) {
      this.#ops += "BT\n";
      this.#text = { font, size: Number.NaN };
    }
    if (this.#text.font !== font || this.#text.size !== size) {
      this.#ops += `/${fontResourceNames[font]} ${num(size)} Tf\n`;
      this.#text = { font, size };
    }
    this.#ops += `1 0 0 -1 ${num(x)} ${num(y + metrics.ascent * size)} Tm\n${set.operand} TJ\n`;
    return width;
  }

  /**
   * Draws XObject `id` (an image or a form) under resource `name`, transformed by the matrix
   * `[a b c d e f]` (§8.3.4), in a saved graphics state.
   */
  draw(name: string, id: number, matrix: readonly [number, number, number, number, number, number]): this {
    this.xobjects.set(name, id);
    return this.#add(`q\n${matrix.map(num).join(" ")} cm\n/${name} Do\nQ\n`);
  }
}

/** 4 × (√2 − 1) / 3: the control-point distance of a Bézier quarter circle of radius 1. */
const kappa = (4 * (Math.SQRT2 - 1)) / 3;

/** A number as PDF writes it: at most four decimals, no exponent, no trailing zeros. */
function num(value: number): string {
  const rounded = Math.round(value * 10_000) / 10_000;
  return Object.is(rounded, -0) ? "0" : String(rounded);
}

const rgbOf = new Map<string, string>();

/** `#rrggbb` as the three operands of `rg`/`RG`. */
function rgb(hex: string): string {
  let operands = rgbOf.get(hex);
  if (operands === undefined) {
    const value = Number.parseInt(hex.slice(1), 16);
    operands = [value >> 16, (value >> 8) & 0xff, value & 0xff].map((part) => num(part / 255)).join(" ");
    rgbOf.set(hex, operands);
  }
  return operands;
}
