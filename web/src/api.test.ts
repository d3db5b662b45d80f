// The name an audience file is saved as.
import { describe, expect, it } from 'vitest';
import { exportFilename } from './api';

const base = { format: 'csv', hash_pii: false, include_no_consent: false } as const;

describe('exportFilename', () => {
  it("takes the server's Content-Disposition name", () => {
    expect(
      exportFilename(
        { ...base, segmentation: 'rfm', segment: 'Champions' },
        'attachment; filename="rfm-Champions.csv"',
      ),
    ).toBe('rfm-Champions.csv');
  });

  it('makes one from the audience when the server gives none', () => {
    expect(exportFilename({ ...base, segmentation: 'rfm', segment: "Can't Lose Them" }, null)).toBe(
      'rfm-Can_t_Lose_Them.csv',
    );
    expect(exportFilename({ ...base, format: 'jsonl', experiment: 'spring sale', variant: 'B' })).toBe(
      'experiment-spring_sale-B.jsonl',
    );
  });

  it('ignores a name with a path in it', () => {
    expect(
      exportFilename(
        { ...base, format: 'parquet', segmentation: 'rfm', segment: 'Loyal' },
        'attachment; filename="../x"',
      ),
    ).toBe('rfm-Loyal.parquet');
  });
});
