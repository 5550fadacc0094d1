// A boxed text table for the screen, in one pass over its rows: cli-table3's layout compares every cell with
// every other, so a 60,000-line compare did not finish; this one is linear.

export type Align = "left" | "right";

/** Characters on screen: code points, so "…", "→" and "σ" count one each. */
const width = (text: string) => [...text].length;

export function textTable(head: string[], rows: string[][], aligns: Align[]): string {
  const widths = head.map((cell, i) => rows.reduce((most, row) => Math.max(most, width(row[i] ?? "")), width(cell)));
  const pad = (cell: string, i: number) => {
    const space = " ".repeat(widths[i] - width(cell));
    return aligns[i] === "right" ? space + cell : cell + space;
  };
  const line = (cells: string[]) => `│ ${cells.map(pad).join(" │ ")} │`;
  const rule = (left: string, middle: string, right: string) =>
    `${left}${widths.map((w) => "─".repeat(w + 2)).join(middle)}${right}`;
  return [rule("┌", "┬", "┐"), line(head), rule("├", "┼", "┤"), ...rows.map(line), rule("└", "┴", "┘")].join("\n");
}
