/**
 * The base of every error meshguard raises on bad outside input. Each error has a
 * stable `code` (`MG_<AREA>_<WHAT>`) that tests, logs and docs use; the message is
 * for people. Layers define their own subclasses next to the code that throws them
 * (`src/config/errors.ts`, `src/policy/jwt/errors.ts`, …); misuse by our own code
 * throws `TypeError` instead.
 */
export class MeshguardError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
