import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './electron/database/schema/sqlite.ts',
  out: './migrations/sqlite',
});
