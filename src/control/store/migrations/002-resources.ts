/**
 * Version 2: the mesh's resources (what `meshguard apply` writes) and one
 * global config version, bumped by every change so that watchers can tell
 * "something changed" without diffing.
 */
export const migration002 = {
  version: 2,
  name: 'resources',
  sql: `
    CREATE TABLE resources (
      grp TEXT NOT NULL, -- API group ('' for core); "group" is a reserved word in SQL
      kind TEXT NOT NULL,
      namespace TEXT NOT NULL,
      name TEXT NOT NULL,
      api_version TEXT NOT NULL,
      body TEXT NOT NULL, -- canonical JSON of {metadata, spec}, so equality means "unchanged"
      creation_timestamp TEXT NOT NULL, -- RFC 3339, stamped on create, kept on update ("oldest wins")
      generation INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (grp, kind, namespace, name)
    );
    CREATE TABLE config_version (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      version INTEGER NOT NULL
    );
    INSERT INTO config_version (id, version) VALUES (1, 0);
  `,
} as const;
