import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** A migration as shipped: drizzle-kit's journal entry plus the SQL file it names. */
export interface Migration {
  index: number;
  tag: string;
  statements: string[];
  checksum: string;
  /** Checksums of earlier, reviewed versions of the file that left its effect unchanged. */
  formerChecksums: string[];
}

/** Whether a checksum recorded by a database is this migration's (now or before a reviewed edit). */
export function isKnownChecksum(migration: Migration, recorded: string): boolean {
  return migration.checksum === recorded || migration.formerChecksums.includes(recorded);
}

const formerChecksumsSchema = z.object({ checksums: z.record(z.string(), z.array(z.string().regex(/^[0-9a-f]{64}$/))) });

function readFormerChecksums(dir: string): Record<string, string[]> {
  const file = path.join(dir, 'former_checksums.json');
  if (!existsSync(file)) return {};
  return formerChecksumsSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).checksums;
}

const journalSchema = z.object({
  dialect: z.string(),
  entries: z.array(z.object({ idx: z.number().int().min(0), tag: z.string().min(1) })),
});

/** Reads the migrations of one dialect in order; refuses a journal with gaps or duplicates. */
export function loadMigrations(dir: string): Migration[] {
  const journal = journalSchema.parse(JSON.parse(readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')));
  const former = readFormerChecksums(dir);
  return journal.entries
    .slice()
    .sort((a, b) => a.idx - b.idx)
    .map((entry, position) => {
      if (entry.idx !== position) throw new Error(`Migration journal in ${dir} has a gap or duplicate at index ${position}`);
      const sqlText = readFileSync(path.join(dir, `${entry.tag}.sql`), 'utf8');
      return {
        index: entry.idx,
        tag: entry.tag,
        statements: sqlText
          .split('--> statement-breakpoint')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
        checksum: createHash('sha256').update(sqlText).digest('hex'),
        formerChecksums: former[entry.tag] ?? [],
      };
    });
}
