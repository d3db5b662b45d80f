// The dashboard's chart colours, apart from ECharts so that option builders can be
// unit-tested without a browser.
export const PALETTE = [
  '#2f6fdf',
  '#e8833a',
  '#3aa35b',
  '#d64545',
  '#8a5cd1',
  '#8c6d4f',
  '#d160a8',
  '#6b7280',
  '#b5a62a',
  '#1fa9b8',
];

// The same colour for the same name wherever it is drawn.
export function colourOf(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

// Colours for names drawn together: each name's own colour (colourOf) unless a name
// before it took that colour, then the first colour not yet taken — distinct for up to
// PALETTE.length names, and the same for the same set of names.
export function distinctColours(names: string[]): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    let colour = colourOf(name);
    if (taken.has(colour)) colour = PALETTE.find((item) => !taken.has(item)) ?? colour;
    taken.add(colour);
    return colour;
  });
}
