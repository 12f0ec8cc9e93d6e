/**
 * Version 3: what vouched for each issued certificate (its registration entry
 * and token, JSON) beside its record, so the CA writes it in the same batched
 * insert instead of one CA-metadata write per certificate. NULL for rows
 * written before this version and for certificates with no entry or token.
 */
export const migration003 = {
  version: 3,
  name: 'issued-lineage',
  sql: `
    ALTER TABLE issued_certificates ADD COLUMN lineage TEXT;
  `,
} as const;
