import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './core/database/schema/sqlite.ts',
  out: './migrations/sqlite',
});
