import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './electron/database/schema/pg.ts',
  out: './migrations/pg',
});
