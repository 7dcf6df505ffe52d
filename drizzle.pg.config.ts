import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './core/database/schema/pg.ts',
  out: './migrations/pg',
});
