// Chart colours: the same name keeps its colour; names drawn together get distinct ones.
import { describe, expect, it } from 'vitest';
import { colourOf, distinctColours, PALETTE } from './palette';

describe('palette', () => {
  it('gives a name the same colour every time', () => {
    expect(colourOf('Champions')).toBe(colourOf('Champions'));
    expect(PALETTE).toContain(colourOf('Loyal'));
  });

  it('gives names drawn together distinct colours, their own where free', () => {
    const names = Array.from({ length: PALETTE.length }, (_, index) => `segment ${index}`);
    const colours = distinctColours(names);
    expect(new Set(colours).size).toBe(PALETTE.length);
    expect(colours[0]).toBe(colourOf(names[0]));
  });

  it('moves the second of two names with the same colour to a free one', () => {
    let clash = 'x1';
    for (let index = 2; colourOf(clash) !== colourOf('x0'); index += 1) clash = `x${index}`;
    const [first, second] = distinctColours(['x0', clash]);
    expect(first).toBe(colourOf('x0'));
    expect(second).toBe(PALETTE.find((colour) => colour !== first));
  });
});
